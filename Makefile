# sam build runs one target per function (BuildMethod: makefile in template.yaml), each in its own
# copy of the repository, with ARTIFACTS_DIR set to where the function's code must end up. Every
# target builds from source, after deleting the build output the copy may hold, so that nothing
# compiled before (by another checkout, from other sources) reaches the jar. Lambda's Java
# runtime puts every jar in lib/ on the class path.
#
#   MVN="mvn -o" sam build     # e.g. to build offline from the local Maven repository

MVN ?= mvn

.PHONY: jar build-ApiFunction build-JanitorFunction build-ScheduleFunction build-EcsDispatchFunction build-EcsEventsFunction build-AutomationsFunction

# rm rather than 'mvn clean', whose plugin a local Maven repository may not hold
jar:
	rm -rf */target
	$(MVN) -B -q package -pl functions -am -DskipTests

build-ApiFunction build-JanitorFunction build-ScheduleFunction build-EcsDispatchFunction build-EcsEventsFunction build-AutomationsFunction: jar
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp functions/target/ferry-functions.jar "$(ARTIFACTS_DIR)/lib/"

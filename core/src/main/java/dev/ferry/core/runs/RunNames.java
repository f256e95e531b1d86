package dev.ferry.core.runs;

import java.util.List;
import java.util.random.RandomGenerator;

/** Readable random run names, like {@code brave-otter}. */
public final class RunNames {
    private static final List<String> ADJECTIVES = List.of(
            "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring", "eager",
            "fancy", "gentle", "glad", "golden", "grand", "happy", "hidden", "jolly", "keen", "lively",
            "lucky", "mellow", "merry", "mighty", "nimble", "noble", "proud", "quick", "quiet", "rapid",
            "rosy", "shiny", "silent", "silver", "smart", "snowy", "steady", "sunny", "swift", "tidy",
            "vivid", "warm", "wise", "witty", "zesty", "azure", "coral", "dapper", "fearless", "spry");
    private static final List<String> ANIMALS = List.of(
            "otter", "falcon", "heron", "lynx", "marten", "puffin", "badger", "beaver", "bison", "condor",
            "crane", "dolphin", "eagle", "ferret", "finch", "gecko", "gibbon", "hare", "ibis", "jaguar",
            "koala", "lemur", "llama", "magpie", "manatee", "mole", "narwhal", "newt", "ocelot", "orca",
            "osprey", "panda", "pelican", "quail", "raven", "robin", "salmon", "seal", "sparrow", "stork",
            "swan", "tapir", "tern", "toucan", "walrus", "wombat", "wren", "yak", "zebra", "kestrel");

    private RunNames() {}

    public static String random(RandomGenerator random) {
        return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "-" + ANIMALS.get(random.nextInt(ANIMALS.size()));
    }
}

"""Prints what a deployment needs to know of a flow function, as JSON:
python3 ferry_signature.py path/to/file.py function

{"parameters": <JSON Schema of its parameters>,
 "flow": {"name", "description", "retries", "retry_delay_seconds", "timeout_seconds"}}

The flow settings come from an @flow(...) decorator (Ferry's or Prefect's: @flow, @ferry.flow,
@prefect.flow) where it gives them as literals, and the description from the docstring when
the decorator gives none; a setting not found is null.

`ferry deploy` runs this on the author's machine, often in an environment that lacks the
flow's dependencies, and the file may do real work at import time. So the file is only
parsed, never imported or executed: everything here comes from the syntax tree.

Errors print one line on stderr and exit with code 2. Python 3.8+, standard library only.
"""

import ast
import json
import math
import os
import sys

USAGE = "usage: ferry_signature.py path/to/file.py function"

# Bare type names (or the last part of a dotted name, as in typing.List or
# datetime.datetime) mapped to the schema they allow.
SIMPLE_TYPES = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string"},
    "list": {"type": "array"},
    "List": {"type": "array"},
    "tuple": {"type": "array"},
    "Tuple": {"type": "array"},
    "set": {"type": "array", "uniqueItems": True},
    "Set": {"type": "array", "uniqueItems": True},
    "frozenset": {"type": "array", "uniqueItems": True},
    "FrozenSet": {"type": "array", "uniqueItems": True},
    "Sequence": {"type": "array"},
    "MutableSequence": {"type": "array"},
    "Iterable": {"type": "array"},
    "Collection": {"type": "array"},
    "dict": {"type": "object"},
    "Dict": {"type": "object"},
    "Mapping": {"type": "object"},
    "MutableMapping": {"type": "object"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "UUID": {"type": "string", "format": "uuid"},
    "Path": {"type": "string", "format": "path"},
    "None": {"type": "null"},
    "NoneType": {"type": "null"},
}

ARRAY_GENERICS = {"list", "List", "Sequence", "MutableSequence", "Iterable", "Collection",
                  "set", "Set", "frozenset", "FrozenSet"}
TUPLE_GENERICS = {"tuple", "Tuple"}
MAPPING_GENERICS = {"dict", "Dict", "Mapping", "MutableMapping"}

ANY = {}


class Failure(Exception):
    pass


def main(argv):
    if len(argv) != 3:
        return _fail(USAGE)
    path, function_name = argv[1], argv[2]
    try:
        function = _find_function(_parse(path), path, function_name)
        described = {"parameters": _schema(function.args), "flow": flow_settings(function)}
    except Failure as failure:
        return _fail(str(failure))
    sys.stdout.write(json.dumps(described, allow_nan=False))
    sys.stdout.write("\n")
    return 0


def signature_schema(path, function_name):
    function = _find_function(_parse(path), path, function_name)
    return _schema(function.args)


# The decorator's options that a deployment carries, with the types each must have.
FLOW_OPTIONS = {
    "name": (str,),
    "description": (str,),
    "retries": (int,),
    "retry_delay_seconds": (int, float),
    "timeout_seconds": (int, float),
}


def flow_settings(function):
    settings = dict.fromkeys(FLOW_OPTIONS)
    decorator = _flow_decorator(function)
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg not in FLOW_OPTIONS:
                continue
            has_value, value = _literal(keyword.value)
            # A computed value (name=NAME, retries=get_retries()) cannot be known without running
            # the file; it is left out rather than guessed.
            if has_value and isinstance(value, FLOW_OPTIONS[keyword.arg]) and not isinstance(value, bool):
                settings[keyword.arg] = value
    if settings["description"] is None:
        settings["description"] = ast.get_docstring(function)
    return settings


def _flow_decorator(function):
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _last_name(target) == "flow":
            return decorator
    return None


def _parse(path):
    if not os.path.exists(path):
        raise Failure("flow file '%s' not found (cwd %s)" % (path, os.getcwd()))
    if os.path.isdir(path):
        raise Failure("flow file '%s' is a directory, expected a .py file (cwd %s)" % (path, os.getcwd()))
    try:
        with open(path, "rb") as f:
            source = f.read()  # bytes, so a `# -*- coding: ... -*-` line is honoured
    except OSError as e:
        raise Failure("cannot read flow file '%s': %s" % (path, e.strerror or e))
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as e:
        where = " line %d" % e.lineno if e.lineno else ""
        raise Failure("syntax error in %s%s: %s" % (path, where, e.msg))
    except ValueError as e:  # null bytes in the source
        raise Failure("cannot parse %s: %s" % (path, e))


def _find_function(module, path, function_name):
    functions = [node for node in module.body
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # The last definition wins, as it does when Python executes the file.
    matches = [node for node in functions if node.name == function_name]
    if matches:
        return matches[-1]

    if function_name in _assigned_names(module):
        raise Failure("'%s' in %s is assigned (%s = ...), not defined with def; "
                      "point the entrypoint at the def itself so its parameters can be read"
                      % (function_name, path, function_name))
    names = []
    for node in functions:
        if node.name not in names:
            names.append(node.name)
    raise Failure("function '%s' not found in %s; found: %s"
                  % (function_name, path, ", ".join(names) if names else "no functions"))


def _assigned_names(module):
    names = set()
    for node in module.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def _schema(arguments):
    positional = list(getattr(arguments, "posonlyargs", [])) + list(arguments.args)
    # Defaults belong to the last positional parameters; keyword-only ones pair up one to one.
    positional_defaults = [None] * (len(positional) - len(arguments.defaults)) + list(arguments.defaults)
    parameters = list(zip(positional, positional_defaults)) + list(zip(arguments.kwonlyargs, arguments.kw_defaults))

    properties, required = {}, []
    for position, (arg, default) in enumerate(parameters):
        prop = {"title": arg.arg, "position": position}
        constraint = _annotation_schema(arg.annotation)
        if default is None:
            required.append(arg.arg)
        else:
            has_value, value = _literal(default)
            if has_value:
                prop["default"] = value
                # `x: int = None` is a common way to write Optional[int]; a schema that
                # rejected its own default would make the flow's defaults unrunnable.
                if value is None:
                    constraint = _nullable(constraint)
        prop.update(constraint)
        properties[arg.arg] = prop
    # Without **kwargs the function would refuse an unknown parameter at call time; refusing
    # it when the run is created names the mistake before anything starts.
    return {"type": "object", "title": "Parameters", "properties": properties, "required": required,
            "additionalProperties": arguments.kwarg is not None}


def _literal(node):
    """(True, value) when the default is a literal that JSON can carry, else (False, None)."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return _jsonable(value)


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, str)):
        return True, value
    if isinstance(value, float):
        return (True, value) if math.isfinite(value) else (False, None)
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            ok, converted = _jsonable(item)
            if not ok:
                return False, None
            items.append(converted)
        return True, items
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            ok, converted = _jsonable(item)
            if not isinstance(key, str) or not ok:
                return False, None
            result[key] = converted
        return True, result
    # bytes, sets, complex numbers: no faithful JSON form, so no default is better than a wrong one.
    return False, None


def _annotation_schema(node):
    if node is None:
        return ANY
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _string_annotation(node.value)
    if isinstance(node, ast.Constant) and node.value is None:
        return {"type": "null"}
    if isinstance(node, (ast.Name, ast.Attribute)):
        return dict(SIMPLE_TYPES.get(_last_name(node), ANY))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union([node.left, node.right])
    if isinstance(node, ast.Subscript):
        return _generic(_last_name(node.value), _subscript_args(node))
    return ANY


def _string_annotation(text):
    # A quoted annotation ("int", "Optional[str]") is the same type written as a forward reference.
    try:
        expression = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return ANY
    if isinstance(expression.body, ast.Constant) and isinstance(expression.body.value, str):
        return ANY  # a quoted string inside quotes: not a type we can read
    return _annotation_schema(expression.body)


def _generic(name, args):
    if name == "Optional" and len(args) == 1:
        return _nullable(_annotation_schema(args[0]))
    if name == "Union":
        return _union(args)
    if name == "Annotated" and args:
        return _annotation_schema(args[0])
    if name == "Literal":
        return _literal_enum(args)
    if name in ARRAY_GENERICS:
        schema = dict(SIMPLE_TYPES[name])
        if len(args) == 1:
            items = _annotation_schema(args[0])
            if items:
                schema["items"] = items
        return schema
    if name in TUPLE_GENERICS:
        return _tuple(args)
    if name in MAPPING_GENERICS:
        schema = {"type": "object"}
        if len(args) == 2:
            values = _annotation_schema(args[1])
            if values:
                schema["additionalProperties"] = values
        return schema
    return dict(SIMPLE_TYPES.get(name, ANY))


def _tuple(args):
    if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
        items = _annotation_schema(args[0])  # Tuple[int, ...]: any length, one type
        return dict({"type": "array"}, **({"items": items} if items else {}))
    if not args:
        return {"type": "array"}
    return {"type": "array", "prefixItems": [_annotation_schema(arg) for arg in args],
            "minItems": len(args), "maxItems": len(args)}


def _literal_enum(args):
    values = []
    for arg in args:
        has_value, value = _literal(arg)
        if not has_value:
            return ANY
        if value not in values:
            values.append(value)
    return {"enum": values}


def _union(members):
    options = []
    for member in _flatten_union(members):
        schema = _annotation_schema(member)
        if not schema:
            return ANY  # a member that allows anything makes the whole union allow anything
        for option in schema.get("anyOf", [schema]):
            if option not in options:
                options.append(option)
    return options[0] if len(options) == 1 else {"anyOf": options}


def _flatten_union(members):
    flat = []
    for member in members:
        if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
            flat.extend(_flatten_union([member.left, member.right]))
        else:
            flat.append(member)
    return flat


def _nullable(schema):
    if not schema or _allows_null(schema):
        return schema
    options = list(schema["anyOf"]) if list(schema) == ["anyOf"] else [schema]
    return {"anyOf": options + [{"type": "null"}]}


def _allows_null(schema):
    if schema.get("type") == "null":
        return True
    if "enum" in schema and None in schema["enum"]:
        return True
    return any(_allows_null(option) for option in schema.get("anyOf", []))


def _subscript_args(node):
    index = node.slice
    if isinstance(index, getattr(ast, "Index", ())):  # Python 3.8 wraps the subscript in ast.Index
        index = index.value
    if isinstance(index, ast.Tuple):
        return list(index.elts)
    return [index]


def _last_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _fail(message):
    sys.stderr.write("ferry: %s\n" % message)
    sys.stderr.flush()
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

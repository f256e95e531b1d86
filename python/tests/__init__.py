import os
import sys

# The package and the prefect stand-in, as the runner's lib/ has them, ahead of anything installed.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _entry in (os.path.join(_ROOT, "shim"), os.path.join(_ROOT, "src")):
    if _entry in sys.path:
        sys.path.remove(_entry)
    sys.path.insert(0, _entry)

"""The tutorial's flow: `./ferry deploy flows/my_flow.py:my_flow -n my-deployment -p my-process-pool`."""


def my_flow(name: str = "world", greeting: str = "Hello"):
    print(f"{greeting}, {name}!")
    return f"{greeting}, {name}!"

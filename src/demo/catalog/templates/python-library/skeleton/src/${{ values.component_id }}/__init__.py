"""${{ values.component_id }}: ${{ values.description }}"""

__version__ = "0.1.0"


def hello() -> str:
    return "Hello from ${{ values.component_id }}"

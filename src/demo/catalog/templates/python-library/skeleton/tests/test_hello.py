from ${{ values.component_id }} import hello


def test_hello() -> None:
    assert "${{ values.component_id }}" in hello()

"""The notebook runs from top to bottom (its cells assert their own numbers)."""

import pathlib

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")


def test_the_tour_notebook_runs():
    path = pathlib.Path(__file__).parent.parent / "notebooks" / "tour.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3")
    client.execute()
    images = sum(
        1
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    )
    assert images == 3  # the AdEx patterns, COBA, Brunel's states

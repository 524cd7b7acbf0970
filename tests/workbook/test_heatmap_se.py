"""The sweep heat map can show each cell's standard error under its value."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("matplotlib")


def test_heatmap_cells_show_their_standard_errors():
    import matplotlib.pyplot as plt

    from simkit.workbook import plots

    table = pd.DataFrame({"reps": [10, 10, 12, 12], "leads": [4.0, 5.0, 4.0, 5.0],
                          "mean": [0.1, 0.5, 0.6, 0.9], "se": [0.01, 0.034, 0.02, 0.0]})
    fig = plots.sweep_heatmap(table, "leads", "reps", "mean", se="se")
    assert [t.get_text() for t in fig.axes[0].texts] == ["10%\n±1%", "50%\n±3%", "60%\n±2%",
                                                         "90%\n±0%"]
    plain = plots.sweep_heatmap(table, "leads", "reps", "mean")
    assert [t.get_text() for t in plain.axes[0].texts] == ["10%", "50%", "60%", "90%"]
    plt.close("all")

"""The scale benchmark's figure: four log-log panels against corpus size, with the targets drawn in."""

from __future__ import annotations

from pathlib import Path

TARGETS = {"search": [(10_000, 30), (1_000_000, 150)], "visible": 2000, "worker_mb": 500}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    sizes = [row["chunks"] for row in rows]
    figure, axes = plt.subplots(2, 2, figsize=(12, 9))
    search = axes[0][0]
    for kind in dict.fromkeys(kind for row in rows for kind in row["search"]):  # a kind added later: from where it starts
        measured = [row for row in rows if kind in row["search"]]
        at = [row["chunks"] for row in measured]
        line, = search.plot(at, [row["search"][kind]["p50_ms"] for row in measured], marker="o", label=f"{kind} p50")
        search.plot(at, [row["search"][kind]["p95_ms"] for row in measured], ls=":", color=line.get_color(),
                    label=f"{kind} p95")
    search.scatter(*zip(*TARGETS["search"]), marker="*", s=160, color="red", zorder=5, label="target p50")
    _panel(search, "Hybrid search (ms)", sizes)
    _series(axes[0][1], sizes, [row["visible_ms"] for row in rows], "write visible in another worker (ms)",
            TARGETS["visible"])
    _series(axes[1][0], sizes, [row["chunks_per_s"] for row in rows], "write throughput (chunks/s)", None)
    _series(axes[1][1], sizes, [max(row["worker_corpus_mb"], 0.1) for row in rows], "RSS the corpus adds to a worker (MB)",
            TARGETS["worker_mb"])
    figure.suptitle(f"tom-assistant at scale ({result['backend']})")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _series(axis, sizes: list[int], values: list, title: str, target: float | None) -> None:
    axis.plot(sizes, values, marker="o")
    if target is not None:
        axis.axhline(target, color="red", ls="--", label="target")
    _panel(axis, title, sizes)


def _panel(axis, title: str, sizes: list[int]) -> None:
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlim(min(sizes) / 1.5, max(max(sizes), 1_000_000) * 1.5)
    axis.set_xlabel("chunks in the store")
    axis.set_title(title)
    axis.grid(True, which="both", alpha=0.3)
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=7)

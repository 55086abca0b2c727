"""The old checkpoint loader, left half-edited."""

import torch


def restore(path: str) -> dict:
    state = torch.load(path, map_location="cpu"
    return state["model"]

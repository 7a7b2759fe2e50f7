"""Writes src/main/resources/org/conceptsliders/runtime/nn/group_norm.pt, the TorchScript function
behind runtime.nn.GroupNorm (see that class for why). Run from the repository root with any
PyTorch >= 1.13 (the archive holds TorchScript source, which newer libtorch versions load):

    python3 src/main/torchscript/group_norm.py
"""
from typing import List

import torch
from torch import Tensor


class GroupNormAct(torch.nn.Module):
    def forward(self, x: Tensor, weight: Tensor, bias: Tensor, setting: Tensor) -> Tensor:
        # setting: float64 [groups, eps, silu (0 or 1)]; plain numbers cannot pass through DJL's forward
        s: List[float] = setting.tolist()
        y = torch.group_norm(x, int(s[0]), weight, bias, s[1])
        if s[2] != 0.0:
            y = torch.nn.functional.silu(y)
        return y


if __name__ == "__main__":
    torch.jit.script(GroupNormAct()).save("src/main/resources/org/conceptsliders/runtime/nn/group_norm.pt")

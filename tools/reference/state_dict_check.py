#!/usr/bin/env python3
"""PyTorch's side of the StateDict round trip (lib: StateDictPythonTest runs it; it needs torch and safetensors).

    python state_dict_check.py DIR

DIR holds what the kit wrote:
- kit-mha.safetensors  a MultiHeadAttention's parameters, saved by StateDict.save
- kit-io.safetensors   "x" [batch, tokens, d_in] and "y", the kit's output on it

This script
1. reads kit-mha.safetensors with safetensors.torch.load_file and loads it into the PyTorch module below with
   load_state_dict(strict=True) (every name and shape must match), then compares the module's output on x with the
   kit's ("kit file in PyTorch: max |diff| ...");
2. trains its own module (torch.manual_seed(321), 3 Adam steps on x), saves it with safetensors.torch.save_file as
   torch-mha.safetensors, and its output on x as torch-io.safetensors ("y"), for the kit to load.
It exits with status 1 if the first comparison is over 1e-5.
"""
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file


class MultiHeadAttention(torch.nn.Module):
    """Causal multi-head self-attention with weight splits, the layout of the kit's MultiHeadAttention."""

    def __init__(self, d_in, d_out, context_length, num_heads, qkv_bias):
        super().__init__()
        self.num_heads, self.head_dim, self.d_out = num_heads, d_out // num_heads, d_out
        self.W_query = torch.nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_key = torch.nn.Linear(d_in, d_out, bias=qkv_bias)
        self.W_value = torch.nn.Linear(d_in, d_out, bias=qkv_bias)
        self.out_proj = torch.nn.Linear(d_out, d_out)
        # not a parameter, and not saved: the kit's state_dict holds trainable arrays only
        self.register_buffer("mask", torch.triu(torch.ones(context_length, context_length), 1).bool(), persistent=False)

    def forward(self, x):
        b, t, _ = x.shape
        def heads(z):                                                    # [b, t, d_out] -> [b, h, t, hd]
            return z.view(b, t, self.num_heads, self.head_dim).transpose(1, 2)
        q, k, v = heads(self.W_query(x)), heads(self.W_key(x)), heads(self.W_value(x))
        scores = (q @ k.transpose(2, 3)).masked_fill(self.mask[:t, :t], float("-inf"))
        weights = torch.softmax(scores / self.head_dim ** 0.5, dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(b, t, self.d_out))


def main(folder):
    kit = load_file(str(folder / "kit-mha.safetensors"))
    with safe_open(str(folder / "kit-mha.safetensors"), framework="pt") as f:
        metadata = f.metadata()
    io = load_file(str(folder / "kit-io.safetensors"))
    x, y_kit = io["x"], io["y"]
    d_out, d_in = kit["W_query.weight"].shape
    context, heads = x.shape[1], int(io["num_heads"].item())
    module = MultiHeadAttention(d_in, d_out, context, heads, "W_query.bias" in kit)
    module.load_state_dict(kit, strict=True)
    with torch.no_grad():
        diff = (module(x) - y_kit).abs().max().item()
    print(f"kit file in PyTorch: {len(kit)} tensors {sorted(kit)}, metadata {metadata}, "
          f"dtypes {sorted({str(t.dtype) for t in kit.values()})}, max |diff| of the outputs {diff:.3g}")

    torch.manual_seed(321)
    own = MultiHeadAttention(d_in, d_out, context, heads, True)
    optimizer = torch.optim.Adam(own.parameters(), lr=0.05)
    target = torch.flip(x, dims=[1])[..., :1].expand(-1, -1, d_out)
    for _ in range(3):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(own(x), target).backward()
        optimizer.step()
    save_file(own.state_dict(), str(folder / "torch-mha.safetensors"), metadata={"format": "pt"})
    with torch.no_grad():
        save_file({"y": own(x).contiguous()}, str(folder / "torch-io.safetensors"))
    print(f"PyTorch {torch.__version__} saved torch-mha.safetensors: {sorted(own.state_dict())}")
    return 0 if diff <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))

"""Replays a fixture's training step and generation with the reference.

  python3 replay.py REFERENCE_PY FIXTURE OUT [float64|float32] [THREADS] [PERTURB] [FLIP]

FIXTURE is made by `mocogan_ref.py fixture`. OUT receives, as F64 tensors, what the
step gives from the same float32 starting state: loss/*, grad/*, after/*, gen/frames.
In float64 it is the exact-enough answer; in float32 with another thread count it shows
how far PyTorch's own float32 result moves with the order of its sums. The parity tests
use both to tell a real error from rounding that the configuration amplifies. With
PERTURB (e.g. 6e-8, about one float32 rounding), every starting value is multiplied by
1 + PERTURB·N(0,1) first: how far that moves the float64 answer measures how strongly
this configuration amplifies float32 rounding. With FLIP (e.g. 1e-6), every (Leaky)ReLU
input within FLIP of its kink (relative to the largest input of that call) is moved to
the kink's other side (its sign flipped; an exact zero made slightly positive): what that
changes, against the plain replay, is what float32 rounding at those kinks can change.
"""
import importlib.util, json, struct, sys
import numpy as np
import torch

spec = importlib.util.spec_from_file_location("mocogan_ref", sys.argv[1])
R = importlib.util.module_from_spec(spec)
spec.loader.exec_module(R)
DTYPE = torch.float64 if (sys.argv[4] if len(sys.argv) > 4 else "float64") == "float64" else torch.float32
torch.set_default_dtype(DTYPE)
torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
PERTURB = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
FLIP = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0
noise = torch.Generator().manual_seed(1234)

raw = open(sys.argv[2], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
c = json.loads(meta["config"])
DT = {"F32": np.float32, "I64": np.int64}


def tensor(k):
    e = header[k]
    a, b = e["data_offsets"]
    arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=DT[e["dtype"]]).reshape(e["shape"])
    t = torch.from_numpy(arr.copy())
    if not t.is_floating_point():
        return t
    t = t.to(DTYPE)
    if PERTURB and not k.startswith("input/motion_") and not k.startswith("input/frame") and k != "adam/step":
        t = t * (1 + PERTURB * torch.randn(t.shape, generator=noise, dtype=DTYPE))
    return t


m = R.MoCoGAN(c)
for net_name, net in m.net.items():
    sd = {k: tensor(f"before/{net_name}.{k}") for k in net.state_dict() if not k.endswith("num_batches_tracked")}
    net.load_state_dict(sd, strict=False)
    opt = m.opt[net_name]
    for pn, p in net.named_parameters():
        opt.state[p] = {
            "step": torch.tensor(float(tensor("adam/step")[0]), dtype=torch.float32),
            "exp_avg": tensor(f"adam/{net_name}.{pn}.exp_avg"),
            "exp_avg_sq": tensor(f"adam/{net_name}.{pn}.exp_avg_sq"),
        }
x = {k[6:]: tensor(k) for k in header if k.startswith("input/")}
# How close any (Leaky)ReLU input comes to its kink, relative to that input's scale: a
# value within float32 rounding of 0 may fall on either side in float32, which changes
# every gradient upstream of it by a visible amount (an ambiguity, not an error).
margin = [float("inf")]


def watch(module, inputs):
    x = inputs[0]
    v = x.detach().abs()
    scale = v.max().clamp_min(1e-30)
    margin[0] = min(margin[0], float(v.min() / scale))
    if FLIP > 0:
        near = v < FLIP * scale
        if bool(near.any()):
            other = torch.where(x > 0, -x, x.abs().clamp_min(1e-300))
            return (torch.where(near, other, x),) + tuple(inputs[1:])


from torch import nn as _nn
for net in m.net.values():
    for mod in net.modules():
        if isinstance(mod, (_nn.ReLU, _nn.LeakyReLU)):
            mod.register_forward_pre_hook(watch)
losses, grads = R.run_step(m, x)
out = {f"loss/{k}": torch.tensor([v]) for k, v in losses.items()}
out["kink/margin"] = torch.tensor([margin[0]])
out.update({f"grad/{k}": v for k, v in grads.items()})
out.update({f"after/{k}": v for k, v in m.state().items()})
for v in m.net.values():
    v.eval()
L = header["gen/frames"]["shape"][2]
cats = tensor("gen/categories") if "gen/categories" in header else None
with torch.no_grad():
    c["T"] = L
    h0 = tensor("gen/motion_h0") if "gen/motion_h0" in header else None
    out["gen/frames"] = m.fake_videos(tensor("gen/content_noise"), tensor("gen/motion_noise"), L, 0, cats, h0)

hdr, blobs, off = {}, [], 0
for k, t in out.items():
    b = t.detach().contiguous().double().numpy().tobytes()
    hdr[k] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b)
    off += len(b)
h = json.dumps(hdr).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open(sys.argv[3], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

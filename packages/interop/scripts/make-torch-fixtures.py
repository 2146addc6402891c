"""Regenerates the PyTorch fixtures under test/fixtures/ (CI has no Python; the outputs are committed).

Each case writes `<case>.safetensors` (the module's state_dict) and `<case>.json` (its
constructor arguments, the input, the initial state if any, and PyTorch's outputs).
Run from this package:  /usr/bin/python3 scripts/make-torch-fixtures.py
Written against PyTorch 1.13 (Debian's python3-torch); needs nothing else.
"""
import json
import os
import struct

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64"}


def save_safetensors(tensors, path):
    """The format by hand (8-byte length, JSON header, raw little-endian data), so the fixture needs no extra package."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def listed(t):
    return t.detach().double().tolist()


def rnn_case(name, cls, args, batch=2, time=5, with_state=False, seed=0):
    torch.manual_seed(seed)
    module = cls(**args)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.8, 0.8)  # larger than the default init, so a wrong layout shows
    dirs = 2 if args.get("bidirectional") else 1
    layers = args.get("num_layers", 1)
    x = torch.randn(batch, time, args["input_size"]) if args.get("batch_first") else torch.randn(time, batch, args["input_size"])
    h_size = args.get("proj_size") or args["hidden_size"]
    state = None
    if with_state:
        h0 = torch.randn(layers * dirs, batch, h_size)
        state = (h0, torch.randn(layers * dirs, batch, args["hidden_size"])) if cls is nn.LSTM else h0
    with torch.no_grad():
        y, final = module(x, state) if state is not None else module(x)
    record = {"type": cls.__name__, "args": args, "input": listed(x), "output": listed(y)}
    if cls is nn.LSTM:
        record["h_n"], record["c_n"] = listed(final[0]), listed(final[1])
        if state is not None:
            record["h_0"], record["c_0"] = listed(state[0]), listed(state[1])
    else:
        record["h_n"] = listed(final)
        if state is not None:
            record["h_0"] = listed(state)
    write(name, module.state_dict(), record)


class CharLM(nn.Module):
    """The model of examples/torch/train_lstm.py, small."""

    def __init__(self, vocab, dim, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.rnn = nn.LSTM(dim, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids):
        y, _ = self.rnn(self.embed(ids))
        return self.head(y)


def charlm_case():
    torch.manual_seed(7)
    model = CharLM(11, 4, 6)
    ids = torch.tensor([[1, 5, 3, 10, 2], [0, 0, 4, 4, 9]])
    with torch.no_grad():
        logits = model(ids)
        embedded = model.embed(ids)
    record = {"input": ids.tolist(), "embedded": listed(embedded), "output": listed(logits)}
    write("charlm", model.state_dict(), record)


def dtypes_case():
    torch.manual_seed(3)
    base = torch.randn(2, 3) * 4
    tensors = {"f32": base, "f16": base.half(), "bf16": base.bfloat16(), "f64": base.double()}
    record = {name: listed(t.float()) for name, t in tensors.items()}
    write("dtypes", tensors, record)


def write(name, tensors, record):
    save_safetensors(tensors, os.path.join(OUT, f"{name}.safetensors"))
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(record, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    rnn_case("rnn-tanh", nn.RNN, {"input_size": 3, "hidden_size": 4, "batch_first": True})
    rnn_case("rnn-relu-2layers", nn.RNN, {"input_size": 3, "hidden_size": 4, "num_layers": 2, "nonlinearity": "relu"}, with_state=True)
    rnn_case("lstm-2layers", nn.LSTM, {"input_size": 3, "hidden_size": 4, "num_layers": 2, "batch_first": True}, with_state=True)
    rnn_case("lstm-bidirectional", nn.LSTM, {"input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": True})
    rnn_case("lstm-proj", nn.LSTM, {"input_size": 3, "hidden_size": 5, "proj_size": 2, "num_layers": 2, "batch_first": True}, with_state=True)
    rnn_case("lstm-proj-bidirectional", nn.LSTM, {"input_size": 3, "hidden_size": 5, "proj_size": 3, "bidirectional": True, "batch_first": True})
    rnn_case("gru-bidirectional", nn.GRU, {"input_size": 3, "hidden_size": 4, "bidirectional": True, "batch_first": True}, with_state=True)
    rnn_case("gru-2layers", nn.GRU, {"input_size": 3, "hidden_size": 4, "num_layers": 2})
    charlm_case()
    dtypes_case()

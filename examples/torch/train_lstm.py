"""Train a character-level LSTM language model in PyTorch and export it for Recur.

One process:        python train_lstm.py --text corpus.txt --out export/
Several GPUs/hosts: torchrun --nnodes=2 --nproc-per-node=4 --rdzv-backend=c10d \\
                        --rdzv-endpoint=HOST:29500 train_lstm.py --text corpus.txt --out export/
(torchrun sets RANK / WORLD_SIZE; each process trains on its own slice of the batches
and DistributedDataParallel averages the gradients. Only rank 0 writes the export.)

The export folder holds what @recur/interop reads:
  model.safetensors  the state_dict (names and layouts exactly as PyTorch has them)
  modules.json       the modules in order, with their constructor arguments
  vocab.json         the characters, id 0 first
Needs: torch, safetensors (pip install torch safetensors).
"""
import argparse
import json
import os

import torch
import torch.distributed as dist
from safetensors.torch import save_file
from torch import nn


class CharLM(nn.Module):
    def __init__(self, vocab, dim=32, hidden=128, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.LSTM(dim, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab)
        self.modules_json = [
            {"name": "embed", "type": "Embedding", "args": {"num_embeddings": vocab, "embedding_dim": dim}},
            {"name": "rnn", "type": "LSTM", "args": {"input_size": dim, "hidden_size": hidden, "num_layers": layers, "batch_first": True}},
            {"name": "head", "type": "Linear", "args": {"in_features": hidden, "out_features": vocab}},
        ]

    def forward(self, ids):
        y, _ = self.rnn(self.embed(ids))
        return self.head(y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--text", required=True)
    parser.add_argument("--out", default="export")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seq", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    distributed = "WORLD_SIZE" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    device = torch.device(f"cuda:{os.environ.get('LOCAL_RANK', 0)}" if torch.cuda.is_available() else "cpu")

    text = open(args.text, encoding="utf-8").read()
    vocab = sorted(set(text))
    data = torch.tensor([vocab.index(c) for c in text], device=device)
    torch.manual_seed(1234 + rank)  # each process draws its own windows

    model = CharLM(len(vocab)).to(device)
    trained = nn.parallel.DistributedDataParallel(model) if distributed else model
    optimizer = torch.optim.Adam(trained.parameters(), lr=3e-3)
    for step in range(args.steps):
        starts = torch.randint(0, len(data) - args.seq - 1, (args.batch,), device=device)
        windows = torch.stack([data[s : s + args.seq + 1] for s in starts])
        logits = trained(windows[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), windows[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(trained.parameters(), 1.0)
        optimizer.step()
        if rank == 0 and step % 200 == 0:
            print(f"step {step} loss {loss.item():.3f}")

    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        # The plain module's state_dict: DDP's wrapper would prefix every key with "module.".
        weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(weights, os.path.join(args.out, "model.safetensors"))
        with open(os.path.join(args.out, "modules.json"), "w") as f:
            json.dump(model.modules_json, f, indent=2)
        with open(os.path.join(args.out, "vocab.json"), "w") as f:
            json.dump(vocab, f)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

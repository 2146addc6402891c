"""PyTorch peer of `pnpm bench`: the workloads of bench/src/workloads.ts as nn.LSTM / nn.GRU.

Run by bench/src/pytorch.ts, which writes one JSON request to stdin:

    {"workloads": [{"id", "cell", "batch", "time", "input", "hidden", "classes"}, ...],
     "threads": [1, 2],
     "budget": {"warmup", "warmupMs" (optional), "minReps", "maxReps", "budgetMs"}}

and reads one JSON answer from stdout:

    {"torch", "python", "blas", "matmulGflops": {"1": ..., "2": ...},
     "records": [{"workload", "threads", "trainMs", "forwardMs"}, ...]}

The shapes come from the request so that workloads.ts stays their one definition. The
model is Recur's: the recurrent layer (batch_first) → its last output → Linear logits,
softmax cross-entropy, Adam (lr 1e-3). Timing follows bench/src/measure.ts: `warmup`
untimed calls and more while under `warmupMs`, then timed calls until at least `minReps` and, while under `budgetMs`,
up to `maxReps`; the figure is the upper median (sorted[n // 2]), as there.
"""

import json
import platform
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}
SHAPE_KEYS = ("batch", "time", "input", "hidden", "classes")
BUDGET_KEYS = ("warmup", "minReps", "maxReps", "budgetMs")


def fail(message):
    print(f"bench/pytorch/workloads.py: {message}", file=sys.stderr)
    sys.exit(2)


def positive_int(where, value, minimum=1):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        fail(f"{where} must be an integer ≥ {minimum}, got {value!r}")
    return value


def check_request(request):
    if not isinstance(request, dict):
        fail(f"the request must be a JSON object, got {type(request).__name__}")
    workloads = request.get("workloads")
    if not isinstance(workloads, list) or not workloads:
        fail(f"request.workloads must be a non-empty list, got {workloads!r}")
    for i, w in enumerate(workloads):
        if not isinstance(w, dict) or not isinstance(w.get("id"), str):
            fail(f"request.workloads[{i}] must be an object with a string id, got {w!r}")
        if w.get("cell") not in CELLS:
            fail(f"request.workloads[{i}].cell must be one of {sorted(CELLS)}, got {w.get('cell')!r}")
        for key in SHAPE_KEYS:
            positive_int(f"request.workloads[{i}].{key}", w.get(key))
    threads = request.get("threads")
    if not isinstance(threads, list) or not threads:
        fail(f"request.threads must be a non-empty list, got {threads!r}")
    for i, n in enumerate(threads):
        positive_int(f"request.threads[{i}]", n)
    budget = request.get("budget")
    if not isinstance(budget, dict):
        fail(f"request.budget must be an object, got {budget!r}")
    for key in BUDGET_KEYS:
        positive_int(f"request.budget.{key}", budget.get(key), minimum=0)
    if "warmupMs" in budget:
        positive_int("request.budget.warmupMs", budget["warmupMs"], minimum=0)
    return workloads, threads, budget


def median_ms(fn, budget):
    """bench/src/measure.ts' medianMs, call for call."""
    warming = time.perf_counter()
    calls = 0
    while calls < budget["warmup"] or (time.perf_counter() - warming) * 1e3 < budget.get("warmupMs", 0):
        fn()
        calls += 1
    times = []
    start = time.perf_counter()
    while len(times) < budget["minReps"] or (
        len(times) < budget["maxReps"] and (time.perf_counter() - start) * 1e3 < budget["budgetMs"]
    ):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[len(times) // 2]


class LastStepClassifier(nn.Module):
    """Recurrent layer → output at the last step → Linear logits: Recur's bench model."""

    def __init__(self, w):
        super().__init__()
        self.rnn = CELLS[w["cell"]](w["input"], w["hidden"], batch_first=True)
        self.head = nn.Linear(w["hidden"], w["classes"])

    def forward(self, x):
        outputs, _ = self.rnn(x)
        return self.head(outputs[:, -1])


def workload_steps(w):
    """A training step and a forward pass on fixed data, as the TypeScript peers run them."""
    generator = torch.Generator().manual_seed(7)
    x = torch.rand(w["batch"], w["time"], w["input"], generator=generator) * 2 - 1
    y = torch.randint(w["classes"], (w["batch"],), generator=generator)
    torch.manual_seed(1)
    model = LastStepClassifier(w)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def forward():
        # The peers read the logits back (dataSync); .numpy() is the same hand-over here.
        with torch.no_grad():
            return model(x).numpy()

    return train, forward


def matmul_gflops(budget):
    """1024×1024 product rate, the same yardstick run.ts measures on each tfjs backend."""
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    ms = median_ms(lambda: torch.mm(a, b), {**budget, "budgetMs": min(budget["budgetMs"], 2000)})
    return 2 * 1024**3 / ms / 1e6


def blas_library():
    """The BLAS actually loaded: torch is built against `generic` BLAS and takes whichever
    libblas.so.3 the loader finds, the reference one or an OpenBLAS flavour."""
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    except OSError:
        return "unknown"
    return paths[-1] if paths else "unknown"


def main():
    try:
        request = json.load(sys.stdin)
    except json.JSONDecodeError as error:
        fail(f"the request on stdin is not JSON: {error}")
    workloads, threads, budget = check_request(request)
    records = []
    rates = {}
    for n in threads:
        torch.set_num_threads(n)
        rates[str(n)] = matmul_gflops(budget)
        for w in workloads:
            train, forward = workload_steps(w)
            records.append(
                {
                    "workload": w["id"],
                    "threads": n,
                    "trainMs": median_ms(train, budget),
                    "forwardMs": median_ms(forward, budget),
                }
            )
            print(
                f"  {w['id']} pytorch {n}t: train {records[-1]['trainMs']:.1f} ms, "
                f"forward {records[-1]['forwardMs']:.1f} ms",
                file=sys.stderr,
                flush=True,
            )
    answer = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "blas": blas_library(),
        "matmulGflops": rates,
        "records": records,
    }
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

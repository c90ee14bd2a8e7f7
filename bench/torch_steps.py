#!/usr/bin/python3
"""The five training steps of the docsearch step benchmarks, in PyTorch.

A benchmark peer only: nothing in docsearch imports or runs this file
except bench/run. Run it with Debian's Python, which has torch:

    /usr/bin/python3 bench/torch_steps.py [--threads 1,2] [--reps 5] [--min-time 0.25]

It prints one JSON object:

    {"torch": "1.13.0", "best": {step: samples/s}, "threads": {"1": {...}, "2": {...}}}

"best" is the higher of the thread counts for each step. Each thread count
runs in a child process with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set,
because Debian's torch hands the products to the system OpenBLAS, whose
thread pool torch.set_num_threads does not control. A step's rate is the
best of --reps timed runs of at least --min-time seconds each, after two
warm-up steps. The steps mirror rbmstack/steps_bench_test.go and
autoencoder/steps_bench_test.go:

  cd1-binary-784x1000-b100   CD-1 of a binary RBM (MNIST layer 1), batch 100
  cd1-softmax-2000x500-b100  CD-1 of the replicated-softmax RBM, documents
                             rescaled to 100 words, 100 words drawn for the
                             reconstruction, batch 100
  adam-mnist-b100            784-1000-500-250-30 autoencoder unrolled,
                             logistic cross-entropy, Adam, batch 100
  adam-mnist-b1000           the same, batch 1000
  adam-news-b100             2000-500-250-125-10 autoencoder unrolled,
                             softmax output, cross-entropy against word
                             proportions, Adam, batch 100
"""

import argparse
import json
import os
import subprocess
import sys
import time

STEPS = [
    "cd1-binary-784x1000-b100",
    "cd1-softmax-2000x500-b100",
    "adam-mnist-b100",
    "adam-mnist-b1000",
    "adam-news-b100",
]


def mnist_like(torch, n, gen):
    """n x 784 pixels: zero with probability 0.81, else uniform in (0, 1]."""
    x = 1 - torch.rand(n, 784, generator=gen)
    return x * (torch.rand(n, 784, generator=gen) < 0.19)


def counts_like(torch, n, cols, gen):
    """n documents over cols words, about 60 distinct words each: lengths
    log-normal around 100 words, words Zipf(1.1) over a per-row shift."""
    ranks = torch.arange(1, cols + 1, dtype=torch.float64)
    zipf = ranks ** -1.1
    x = torch.zeros(n, cols)
    for i in range(n):
        length = max(1, int(torch.exp(torch.log(torch.tensor(100.0)) + 0.5 * torch.randn(1, generator=gen)).item()))
        words = torch.multinomial(zipf, length, replacement=True, generator=gen)
        shift = int(torch.randint(cols, (1,), generator=gen))
        x[i].index_add_(0, (words + shift) % cols, torch.ones(length))
    return x


class RBM:
    """CD-1 with momentum and weight decay, as rbmstack.Trainer.step."""

    def __init__(self, torch, nvis, nhid, softmax, gen):
        self.t = torch
        self.W = torch.randn(nvis, nhid, generator=gen) * 0.05
        self.b = torch.zeros(nvis)
        self.a = torch.zeros(nhid)
        self.incW = torch.zeros_like(self.W)
        self.incb = torch.zeros_like(self.b)
        self.inca = torch.zeros_like(self.a)
        self.softmax = softmax
        self.lr, self.lra = (1.0, 0.01) if softmax else (0.1, 0.1)
        self.mom, self.wd, self.doclen = 0.9, 2e-4, 100.0

    def step(self, raw):
        t = self.t
        B = raw.shape[0]
        if self.softmax:
            p0 = raw / raw.sum(1, keepdim=True).clamp_min(1e-12)
            v0 = p0 * self.doclen
            abias = self.a * self.doclen
        else:
            p0 = v0 = raw
            abias = self.a
        h0 = t.sigmoid(t.addmm(abias, v0, self.W))
        hs = t.bernoulli(h0)
        pre = t.addmm(self.b, hs, self.W.t())
        if self.softmax:
            m1 = t.softmax(pre, 1)
            recon = float(((p0 - m1) ** 2).sum())
            words = t.multinomial(m1, int(self.doclen), replacement=True)
            v1 = t.zeros_like(m1).scatter_add_(1, words, t.ones(B, int(self.doclen)))
            p1 = v1 / self.doclen
        else:
            v1 = p1 = t.sigmoid(pre)
            recon = float(((p0 - v1) ** 2).sum())
        h1 = t.sigmoid(t.addmm(abias, v1, self.W))
        gW = (p0.t() @ h0).sub_(p1.t() @ h1).div_(B)
        gb = (p0.sum(0) - p1.sum(0)) / B
        ga = (h0.sum(0) - h1.sum(0)) / B
        self.incW.mul_(self.mom).add_(gW.sub_(self.W, alpha=self.wd), alpha=self.lr)
        self.W.add_(self.incW)
        self.incb.mul_(self.mom).add_(gb, alpha=self.lr)
        self.b.add_(self.incb)
        self.inca.mul_(self.mom).add_(ga, alpha=self.lra)
        self.a.add_(self.inca)
        return recon


def autoencoder(torch, enc):
    """The autoencoder unrolled from encoder widths enc: sigmoid hidden
    layers, linear code, and a linear last layer (the loss applies the
    output nonlinearity)."""
    nn = torch.nn
    sizes = enc + enc[-2::-1]
    layers = []
    L = len(enc) - 1
    for i in range(2 * L):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        nn.init.normal_(lin.weight, std=0.05)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i != L - 1 and i != 2 * L - 1:
            layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def make_steps(torch, name, gen):
    """Returns (batch size, list of batches, step function)."""
    if name == "cd1-binary-784x1000-b100":
        rbm = RBM(torch, 784, 1000, False, gen)
        data = mnist_like(torch, 1000, gen)
        return 100, list(data.split(100)), rbm.step
    if name == "cd1-softmax-2000x500-b100":
        rbm = RBM(torch, 2000, 500, True, gen)
        data = counts_like(torch, 1000, 2000, gen)
        return 100, list(data.split(100)), rbm.step
    news = name.startswith("adam-news")
    batch = 1000 if name.endswith("b1000") else 100
    if news:
        net = autoencoder(torch, [2000, 500, 250, 125, 10])
        data = counts_like(torch, 10 * batch, 2000, gen)
    else:
        net = autoencoder(torch, [784, 1000, 500, 250, 30])
        data = mnist_like(torch, 10 * batch, gen)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")

    def step(x):
        if news:
            s = x.sum(1, keepdim=True).clamp_min(1e-12)
            target = x / s
            out = net(target * 100)
            loss = -(target * torch.log_softmax(out, 1)).sum() / x.shape[0]
        else:
            loss = bce(net(x), x) / x.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return float(loss)

    return batch, list(data.split(batch)), step


def measure(threads, reps, min_time, steps):
    import torch

    torch.set_num_threads(threads)
    torch.set_grad_enabled(True)
    out = {}
    for name in steps:
        gen = torch.Generator().manual_seed(1)
        batch, batches, step = make_steps(torch, name, gen)
        with torch.no_grad() if name.startswith("cd") else torch.enable_grad():
            for x in batches[:2]:
                step(x)
            best = 0.0
            k = 0
            for _ in range(reps):
                n = 0
                start = time.perf_counter()
                while True:
                    step(batches[k % len(batches)])
                    k += 1
                    n += 1
                    el = time.perf_counter() - start
                    if el >= min_time:
                        break
                best = max(best, n * batch / el)
        out[name] = best
    return {"torch": torch.__version__, "rates": out}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--reps", type=int, default=5, help="timed runs per step; the best counts")
    ap.add_argument("--min-time", type=float, default=0.25, help="seconds per timed run")
    ap.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps")
    ap.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    steps = [s for s in a.steps.split(",") if s]
    for s in steps:
        if s not in STEPS:
            sys.exit(f"torch_steps.py: unknown step {s!r} (known: {', '.join(STEPS)})")
    if a.child:
        json.dump(measure(a.child, a.reps, a.min_time, steps), sys.stdout)
        return
    res = {"threads": {}, "best": {}}
    for th in [int(x) for x in a.threads.split(",")]:
        env = dict(os.environ, OMP_NUM_THREADS=str(th), OPENBLAS_NUM_THREADS=str(th), MKL_NUM_THREADS=str(th))
        cmd = [sys.executable, __file__, "--child", str(th), "--reps", str(a.reps),
               "--min-time", str(a.min_time), "--steps", ",".join(steps)]
        r = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
        res["torch"] = r["torch"]
        res["threads"][str(th)] = r["rates"]
        for s, v in r["rates"].items():
            res["best"][s] = max(res["best"].get(s, 0.0), v)
    json.dump(res, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()

"""The card's two ceilings, measured (METHOD.md): an fp16 matrix product and a device copy."""
import torch
def bench(fn, n=10):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(n): fn()
    e.record(); e.synchronize()
    return s.elapsed_time(e) / n
a = torch.randn(8192, 8192, device="cuda", dtype=torch.half); b = torch.randn_like(a)
ms = bench(lambda: a @ b)
x = torch.empty(2 * 1024**3, dtype=torch.uint8, device="cuda"); y = torch.empty_like(x)
cms = bench(lambda: y.copy_(x))
print(f"{torch.cuda.get_device_name()}: fp16 matmul 8192^3 {ms:.3f} ms; copy 2 GiB {cms:.3f} ms")
print(f"matrix_tflops={2 * 8192**3 / ms / 1e9:.0f} bandwidth_tbs={2 * 2 * 1024**3 / cms / 1e9:.2f}")

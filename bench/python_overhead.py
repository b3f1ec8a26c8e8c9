"""The Python side of bench/python_overhead.sh: median wall time of
vo2snn.osc(device=1, v_in=12.5, t_end=1e-3[, trace=False]) over REPS calls after one
warm-up; prints "seconds freq_hz".     python3 bench/python_overhead.py trace|notrace REPS"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import vo2snn  # noqa: E402


def main():
    trace, reps = sys.argv[1] == "trace", int(sys.argv[2])
    f = vo2snn.osc(device=1, v_in=12.5, t_end=1e-3, trace=trace)["freq_hz"]
    w = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f = vo2snn.osc(device=1, v_in=12.5, t_end=1e-3, trace=trace)["freq_hz"]
        w.append(time.perf_counter() - t0)
    w.sort()
    med = w[reps // 2] if reps % 2 else 0.5 * (w[reps // 2 - 1] + w[reps // 2])
    print("%.9g %.10g" % (med, f))


if __name__ == "__main__":
    main()

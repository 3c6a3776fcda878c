using System.Diagnostics;
using System.Numerics.Tensors;
using Rnn.Fast.Benchmarks.Engine;
using Rnn.Fast.Benchmarks.Infrastructure;
using Rnn.Fast.Benchmarks.Kernels;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Benchmarks.Probes;

/// <summary>
/// Quick Stopwatch measurements that BenchmarkDotNet cannot make on a noisy shared host: two contenders measured in
/// alternating blocks in ONE process, so a slow spell of the host hits both alike, and one subject in many short
/// blocks with the median reported. Not a replacement for the suites (no statistics beyond a median): a
/// cross-check, and the source of every "probe" figure in the README and docs/measurements.md.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project perf/Rnn.Fast.Benchmarks -- probe tanh LENGTH</c>: ours vs
/// <c>TensorPrimitives.Tanh</c> on LENGTH values in [−4, 4) (the suite's data), 3 s warm-up each (so both run
/// their final tier-1 code), then 21 rounds of one ~20 ms block each, in alternating order.
/// <c>… -- probe infer-step CONFIG</c> and <c>… -- probe train-step CONFIG</c>: the engine workloads of
/// <see cref="InferStepBenchmarks"/> and <see cref="TrainStepBenchmarks"/> (fast engine), 3 s warm-up, median of
/// 31 blocks of ~20 ms.
/// <c>… -- probe gemm CONFIG</c>: the products of <see cref="GemmBenchmarks"/> as a percentage of the peak FMA
/// rate measured in the same round (<see cref="PeakFma"/>, ~20 ms just before them), 15 rounds, medians: a slow
/// spell of the host lowers the peak and the products alike, so the ratio is what the kernels control.
/// <c>… -- probe first-steps CONFIG [CALLS]</c>: the streaming step of <see cref="InferStepBenchmarks"/> from the first
/// call of a fresh process, each call timed on its own (default 300,000 calls); prints the first call and the median
/// of each window of calls, which shows how long the runtime's tiered compilation keeps the step on unoptimized code.
/// Run it as its own command: a process that has already made steps measures nothing new.
/// </remarks>
public static class StopwatchProbes
{
    /// <summary>How many calls <c>probe first-steps</c> times when the command line does not say.</summary>
    internal const int DefaultFirstStepCalls = 300_000;

    /// <summary>The fewest calls <c>probe first-steps</c> accepts: its windows of calls start at 100 and 1,000.</summary>
    internal const int MinimumFirstStepCalls = 1_000;

    private const int Rounds = 21;
    private const int Blocks = 31;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(20);

    /// <summary>Ours against <c>TensorPrimitives.Tanh</c> on <paramref name="length"/> values, in alternating rounds.</summary>
    internal static void CompareTanh(int length)
    {
        var random = new Random(42);
        float[] x = new float[length], destination = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(random.NextDouble() * 8 - 4);
        Action ours = () => Activations.Tanh(x, destination);
        Action theirs = () => TensorPrimitives.Tanh(x, destination);
        int calls = CallsPerBlock(ours);
        CallsPerBlock(theirs);

        var oursTimes = new double[Rounds];
        var theirTimes = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            // Alternate which goes first, so neither always follows the other.
            if (round % 2 == 0)
            {
                oursTimes[round] = NanosecondsPerCall(ours, calls);
                theirTimes[round] = NanosecondsPerCall(theirs, calls);
            }
            else
            {
                theirTimes[round] = NanosecondsPerCall(theirs, calls);
                oursTimes[round] = NanosecondsPerCall(ours, calls);
            }
        }

        double[] ratios = oursTimes.Zip(theirTimes, (o, t) => o / t).ToArray();
        int oursFaster = ratios.Count(r => r < 1);
        Console.WriteLine($"tanh, {length} values, {KernelDispatch.Active} path, {Rounds} alternating rounds of {calls} calls:");
        Console.WriteLine($"  ours              {Median(oursTimes) / length:F3} ns/element (median)");
        Console.WriteLine($"  TensorPrimitives  {Median(theirTimes) / length:F3} ns/element (median)");
        Console.WriteLine($"  ours/TensorPrimitives per round: median {Median(ratios):F3}, range {ratios.Min():F3}–{ratios.Max():F3}; ours faster in {oursFaster} of {Rounds} rounds");
    }

    /// <summary>The median time of one streaming step with carried state at <paramref name="config"/>.</summary>
    internal static void MeasureInferStep(string config) =>
        MeasureEngine("infer-step", config, data =>
        {
            int count = data.Config.BatchSize * data.Config.InputSize;
            data.Session.Step(data.Inputs.AsSpan(0, count), data.Outputs);
        });

    /// <summary>The median time of one training step at <paramref name="config"/>.</summary>
    internal static void MeasureTrainStep(string config) => MeasureEngine("train-step", config, data => TrainStepBenchmarks.Train(data));

    private static void MeasureEngine(string workload, string config, Action<EngineBenchmarkData> run)
    {
        using var data = new EngineBenchmarkData(config);
        Action call = () => run(data);
        int calls = CallsPerBlock(call);
        var times = new double[Blocks];
        for (int block = 0; block < Blocks; block++) times[block] = NanosecondsPerCall(call, calls);
        Array.Sort(times);
        Console.WriteLine($"{workload} at {config}, {KernelDispatch.Active} path, {Blocks} blocks of {calls} calls: " +
            $"median {times[Blocks / 2]:F0} ns per call (min {times[0]:F0}, max {times[^1]:F0})");
    }

    /// <summary>Each GEMM product of <paramref name="config"/> as a percentage of the peak measured in the same round.</summary>
    internal static void MeasureGemm(string config)
    {
        const int GemmRounds = 15;
        var gemm = new GemmBenchmarks { Config = config };
        gemm.Setup();
        (string Name, Action Call)[] products =
            [("input projection", gemm.InputProjection), ("recurrence", gemm.Recurrence), ("weight gradient", gemm.WeightGradient),
             ("projection, C +=", gemm.InputProjectionAccumulate)];
        const long peakIterations = 1_000_000;
        Action peak = () => PeakFma.Run(peakIterations);
        int peakCalls = CallsPerBlock(peak);
        int[] calls = [.. products.Select(p => CallsPerBlock(p.Call))];
        var percent = new double[products.Length][];
        var gflops = new double[products.Length][];
        for (int k = 0; k < products.Length; k++)
        {
            percent[k] = new double[GemmRounds];
            gflops[k] = new double[GemmRounds];
        }

        var peaks = new double[GemmRounds];
        for (int round = 0; round < GemmRounds; round++)
        {
            peaks[round] = peakIterations * PeakFma.FlopsPerIteration / NanosecondsPerCall(peak, peakCalls);
            for (int k = 0; k < products.Length; k++)
            {
                double flops = gemm.FlopsPerInvoke(products[k].Call.Method.Name);
                gflops[k][round] = flops / NanosecondsPerCall(products[k].Call, calls[k]);
                percent[k][round] = 100 * gflops[k][round] / peaks[round];
            }
        }

        Console.WriteLine($"GEMM at {config}, {KernelDispatch.Active} path, {GemmRounds} rounds; peak FMA median {Median(peaks):F1} GFLOP/s " +
            $"(range {peaks.Min():F1}–{peaks.Max():F1}):");
        for (int k = 0; k < products.Length; k++)
        {
            Console.WriteLine($"  {products[k].Name,-17} {Median(gflops[k]),6:F1} GFLOP/s, {Median(percent[k]):F1}% of the round's peak " +
                $"(median; range {percent[k].Min():F1}–{percent[k].Max():F1}%)");
        }
    }

    /// <summary>The streaming step at <paramref name="config"/> timed call by call from the first, <paramref name="calls"/> calls.</summary>
    internal static void MeasureFirstSteps(string config, int calls)
    {
        using var data = new EngineBenchmarkData(config);
        ReadOnlySpan<float> input = data.Inputs.AsSpan(0, data.Config.BatchSize * data.Config.InputSize);
        var nanoseconds = new double[calls];
        double nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            data.Session.Step(input, data.Outputs);
            nanoseconds[i] = (Stopwatch.GetTimestamp() - start) * nanosecondsPerTick;
        }

        Console.WriteLine($"first steps at {config}, {KernelDispatch.Active} path, {calls} calls from a fresh process: " +
            $"call 1 {nanoseconds[0] / 1e6:F2} ms; median per call:");
        int from = 1;
        foreach (int to in new[] { 100, 1_000, 10_000, 50_000, 100_000, calls }.Where(end => end <= calls).Distinct())
        {
            if (to <= from) continue;
            Console.WriteLine($"  calls {from + 1,7}–{to,-7} {Median(nanoseconds[from..to]),8:F0} ns");
            from = to;
        }
    }

    /// <summary>Warms <paramref name="call"/> up for <see cref="WarmUp"/> and returns how many calls fill a block.</summary>
    private static int CallsPerBlock(Action call)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed < WarmUp)
        {
            call();
            count++;
        }

        return (int)Math.Max(1, count * Block.Ticks / clock.Elapsed.Ticks);
    }

    private static double NanosecondsPerCall(Action call, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) call();
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}

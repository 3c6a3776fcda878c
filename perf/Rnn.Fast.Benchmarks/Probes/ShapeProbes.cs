using System.Diagnostics;
using Rnn.Fast.Benchmarks.Engine;
using Rnn.Fast.Kernels;

namespace Rnn.Fast.Benchmarks.Probes;

/// <summary>
/// The acceptance shapes of the tile family, the remainder panels, the small-model path and the worker threads, timed
/// round-robin in ONE process (<c>probe shapes [SECTION]</c>), so that the ratios between them come from one run: every
/// subject is warmed up, then each round times one block of about 10 ms of every subject in turn, and the medians over
/// the rounds are printed with the ratios the acceptance criteria name. And the measurement behind the threshold of the
/// parallel products (<c>probe parallel-threshold</c>).
/// </summary>
public static class ShapeProbes
{
    /// <summary>The sections of <c>probe shapes</c>.</summary>
    public static readonly string[] Sections = ["streams", "remainders", "small", "threads", "all"];

    /// <summary>The standard configs the threads section times at 1 thread and at the processor count.</summary>
    private static readonly string[] ThreadConfigs = ["seed", "stream", "small", "medium", "large"];

    private const int Rounds = 15;
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(700);
    private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(10);

    /// <summary>One timed subject: a name, the call, and its floating-point operations per call.</summary>
    private sealed record Subject(string Name, Action Call, double Flops)
    {
        public int Calls { get; set; }

        public double[] Nanoseconds { get; } = new double[Rounds];

        public double Median => MedianOf(Nanoseconds);
    }

    /// <summary>Runs the section called <paramref name="section"/> (or all of them) and prints medians and ratios.</summary>
    internal static void MeasureShapes(string section)
    {
        var subjects = new List<Subject>();
        var disposables = new List<IDisposable>();
        bool all = section == "all";
        if (all || section == "streams")
        {
            foreach (int n in Enumerable.Range(1, 16)) subjects.Add(StepSubject($"step n={n}", n, 64, 192, 16));
        }

        if (all || section == "remainders")
        {
            foreach (int n in new[] { 1, 4 })
            {
                foreach (int h in new[] { 96, 128, 130, 150, 192, 200 }) subjects.Add(StepSubject($"step n={n} h={h}", n, 40, h, 8));
            }
        }

        if (all || section == "small")
        {
            subjects.Add(SequenceSubject("seed infer-sequence", "seed", 1, disposables));
            subjects.Add(StepSubject("seed infer-step", 1, 1, 16, 1));
            subjects.Add(TrainSubject("seed train-step", "seed", 1, disposables));
            subjects.Add(TrainSubject("stream train-step", "stream", 1, disposables));
        }

        if (all || section == "threads")
        {
            int cores = Environment.ProcessorCount;
            foreach (string config in ThreadConfigs)
            {
                foreach (int degree in new[] { 1, 2, cores }.Distinct())
                {
                    subjects.Add(TrainSubject($"{config} train-step, {degree} thread{(degree == 1 ? "" : "s")}", config, degree, disposables));
                    subjects.Add(SequenceSubject($"{config} infer-sequence, {degree} thread{(degree == 1 ? "" : "s")}", config, degree, disposables));
                }
            }
        }

        Console.WriteLine($"probe shapes {section}: {subjects.Count} subjects, {KernelDispatch.Active} path, {Environment.ProcessorCount} processors; " +
            $"{WarmUp.TotalMilliseconds:F0} ms of warm-up each, then {Rounds} rounds of one ~{Block.TotalMilliseconds:F0} ms block per subject.");
        foreach (Subject subject in subjects) subject.Calls = CallsPerBlock(subject.Call);
        for (int round = 0; round < Rounds; round++)
        {
            // Alternate the direction of the rounds, so that no subject always follows the same one.
            IEnumerable<Subject> order = round % 2 == 0 ? subjects : Enumerable.Reverse(subjects);
            foreach (Subject subject in order) subject.Nanoseconds[round] = NanosecondsPerCall(subject.Call, subject.Calls);
        }

        foreach (Subject subject in subjects)
        {
            string rate = subject.Flops > 0 ? $"{subject.Flops / subject.Median,8:F1} GFLOP/s" : "";
            Console.WriteLine($"  {subject.Name,-38} {subject.Median / 1000,10:F3} µs (median; range {subject.Nanoseconds.Min() / 1000:F3}–{subject.Nanoseconds.Max() / 1000:F3}) {rate}");
        }

        Subject Find(string name) => subjects.First(s => s.Name == name);
        if (all || section == "streams")
        {
            Console.WriteLine("streams (d = 64, h = 192, o = 16): time(n) ≤ time(1)·(0.5 + 0.5n) and time(n + 1) ≥ 0.9·time(n)");
            double one = Find("step n=1").Median;
            for (int n = 2; n <= 16; n++)
            {
                double time = Find($"step n={n}").Median, previous = Find($"step n={n - 1}").Median;
                Console.WriteLine($"  n={n,2}: time(n)/time(1) {time / one,5:F2} (bound {0.5 + 0.5 * n,4:F1}) {Verdict(time / one <= 0.5 + 0.5 * n)};  " +
                    $"time(n)/time(n−1) {time / previous:F2} {Verdict(time / previous >= 0.9)}");
            }
        }

        if (all || section == "remainders")
        {
            Console.WriteLine("remainders (d = 40, o = 8): time(h = 130) ≤ 1.08·time(h = 128) at n = 1; GFLOP/s ≥ 85% of h = 128 (96, 130) or 192 (150, 200)");
            double ratio = Find("step n=1 h=130").Median / Find("step n=1 h=128").Median;
            Console.WriteLine($"  n=1: time(130)/time(128) {ratio:F3} {Verdict(ratio <= 1.08)}");
            foreach (int n in new[] { 1, 4 })
            {
                foreach ((int h, int against) in new[] { (96, 128), (130, 128), (150, 192), (200, 192) })
                {
                    Subject subject = Find($"step n={n} h={h}"), reference = Find($"step n={n} h={against}");
                    double share = subject.Flops / subject.Median / (reference.Flops / reference.Median);
                    Console.WriteLine($"  n={n} h={h}: {100 * share:F1}% of the GFLOP/s at h={against} {Verdict(share >= 0.85)}");
                }
            }
        }

        if (all || section == "small")
        {
            Console.WriteLine("small models: divide the parent commit's times (its BenchmarkDotNet suites at seed and stream) by these; " +
                "the criteria ask for at least 2.5 (seed) and 2 (stream train-step).");
        }

        if (all || section == "threads")
        {
            int cores = Environment.ProcessorCount;
            Console.WriteLine($"threads: single-threaded time ÷ time at {cores} threads (large at least 1.8, medium at least 1.5 on 2 cores; " +
                "the smaller configs, whose products are mostly below the split threshold, must not be slower)");
            foreach (string config in ThreadConfigs)
            {
                foreach (string workload in new[] { "train-step", "infer-sequence" })
                {
                    double single = Find($"{config} {workload}, 1 thread").Median;
                    string many = cores == 1 ? $"{config} {workload}, 1 thread" : $"{config} {workload}, {cores} threads";
                    Console.WriteLine($"  {config} {workload}: speed-up {single / Find(many).Median:F2}");
                }
            }
        }

        foreach (IDisposable disposable in disposables) disposable.Dispose();
    }

    /// <summary>
    /// The product a recurrence step is made of (n rows × h by h×h with the tanh epilogue) at work sizes from 2^14 to
    /// 2^24 multiply-adds (one-panel products of 64 columns split by rows), on 1 thread and on 2, every product split however small: where the ratio crosses 1 is where
    /// splitting starts to pay, the measurement behind <see cref="GemmDriver.ParallelMinimumWork"/>.
    /// </summary>
    internal static unsafe void MeasureParallelThreshold()
    {
        int degree = Math.Max(2, Environment.ProcessorCount);
        Console.WriteLine($"probe parallel-threshold: {KernelDispatch.Active} path, {Environment.ProcessorCount} processors, 1 thread against {degree}; " +
            $"the engine splits products of at least {GemmDriver.ParallelMinimumWork} multiply-adds.");
        (int Rows, int Hidden)[] shapes = [(1, 128), (2, 128), (4, 128), (12, 64), (8, 128), (24, 64), (16, 128), (16, 256), (32, 256), (64, 256), (32, 512), (64, 512)];
        var subjects = new List<Subject>();
        var buffers = new List<float[]>();
        foreach ((int rows, int hidden) in shapes)
        {
            var random = new Random(rows * hidden);
            float[] a = Fill(random, rows * hidden), b = Fill(random, hidden * hidden), start = Fill(random, rows * hidden), c = new float[rows * hidden];
            var pack = PackedMatrix.From(new ReadOnlyMatrixSpan(b, hidden, hidden));
            buffers.AddRange([a, start, c]);
            foreach (int threads in new[] { 1, degree })
            {
                subjects.Add(new Subject($"{rows}×{hidden} by {hidden}×{hidden}, {threads} thread{(threads == 1 ? "" : "s")}", () =>
                {
                    fixed (float* pa = a)
                    fixed (float* ps = start)
                    fixed (float* pc = c)
                    {
                        GemmDriver.RunParallel<StoreTanh>(threads, KernelDispatch.Active, pa, hidden, 1, pack.Panels, pc, hidden, rows, hidden, ps, hidden,
                            minimumWork: 0);
                    }

                    GC.KeepAlive(pack);
                }, 2.0 * rows * hidden * hidden));
            }
        }

        foreach (Subject subject in subjects) subject.Calls = CallsPerBlock(subject.Call);
        for (int round = 0; round < Rounds; round++)
        {
            foreach (Subject subject in round % 2 == 0 ? subjects : Enumerable.Reverse(subjects)) subject.Nanoseconds[round] = NanosecondsPerCall(subject.Call, subject.Calls);
        }

        for (int i = 0; i < subjects.Count; i += 2)
        {
            Subject single = subjects[i], split = subjects[i + 1];
            Console.WriteLine($"  {single.Flops / 2,10:F0} multiply-adds ({single.Name[..single.Name.LastIndexOf(',')]}): 1 thread {single.Median / 1000,8:F2} µs, " +
                $"{degree} threads {split.Median / 1000,8:F2} µs, speed-up {single.Median / split.Median:F2}");
        }

        GC.KeepAlive(buffers);
    }

    private static Subject StepSubject(string name, int n, int d, int h, int o)
    {
        var config = new BenchmarkConfig(name, n, d, h, o, 1);
        var model = new RnnModel(config.Shape, 1UL);
        var session = new RnnStreamingSession(model, n);
        float[] input = Fill(new Random(1), n * d), output = new float[n * o];
        return new Subject(name, () => session.Step(input, output), WorkloadFlops.InferStep(config));
    }

    private static Subject SequenceSubject(string name, string configName, int degree, List<IDisposable> disposables)
    {
        var data = new EngineBenchmarkData(configName);
        var workspace = new RnnWorkspace(data.Model, new RnnWorkspaceOptions { DegreeOfParallelism = degree });
        disposables.Add(data);
        disposables.Add(workspace);
        BenchmarkConfig c = data.Config;
        return new Subject(name, () => workspace.Forward(data.Inputs, c.SequenceLength, c.BatchSize, OutputSteps.LastStep, data.Outputs),
            WorkloadFlops.InferSequence(c));
    }

    private static Subject TrainSubject(string name, string configName, int degree, List<IDisposable> disposables)
    {
        var data = new EngineBenchmarkData(configName);
        var workspace = new RnnWorkspace(data.Model, new RnnWorkspaceOptions { DegreeOfParallelism = degree });
        disposables.Add(data);
        disposables.Add(workspace);
        BenchmarkConfig c = data.Config;
        return new Subject(name, () => workspace.TrainStep(data.Inputs, c.SequenceLength, c.BatchSize, data.Targets, LossKind.LastOutputMeanSquaredError,
            TrainStepBenchmarks.LearningRate), WorkloadFlops.TrainStep(c));
    }

    private static string Verdict(bool met) => met ? "met" : "NOT MET";

    private static float[] Fill(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    private static int CallsPerBlock(Action call)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed < WarmUp || count == 0)
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

    private static double MedianOf(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}

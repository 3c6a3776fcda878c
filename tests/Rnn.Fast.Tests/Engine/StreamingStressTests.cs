using System.Collections.Concurrent;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// The thread-safety contract under load: many streaming sessions (and workspaces) on several threads over ONE
/// shared model, interleaved as finely as the scheduler likes, each give the bits of the same work run alone on one
/// thread, and the model is not changed by any of it.
/// </summary>
public sealed class StreamingStressTests
{
    // 64 sessions × 400 steps on 4 threads, plus 4 workspaces: well under a second here (2 cores), yet the threads
    // overlap for thousands of steps, which is what would expose shared mutable state in the model.
    private const int Sessions = 64, StepsPerSession = 400, Threads = 4;
    private static readonly RnnShape Shape = new(8, 48, 4);

    [Fact]
    public void ManySessionsOnSeveralThreadsGetTheBitsOfASingleThreadedRun()
    {
        var model = new RnnModel(Shape, 21UL);
        float[] parameters = model.Parameters.ToArray();
        float[][] alone = Enumerable.Range(0, Sessions).Select(s => RunSession(model, s)).ToArray();
        float[] workspaceAlone = RunWorkspace(model, 99);

        var results = new float[Sessions][];
        var workspaceResults = new ConcurrentBag<float[]>();
        var queue = new ConcurrentQueue<int>(Enumerable.Range(0, Sessions));
        var failures = new ConcurrentQueue<Exception>();
        using var start = new ManualResetEventSlim(false);
        var threads = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
        {
            try
            {
                start.Wait();
                while (queue.TryDequeue(out int session)) results[session] = RunSession(model, session);
                workspaceResults.Add(RunWorkspace(model, 99));
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        threads.ForEach(t => t.Join());

        Assert.Empty(failures);
        for (int s = 0; s < Sessions; s++) FloatAssert.BitIdentical(alone[s], results[s], $"session {s} on a shared model");
        Assert.Equal(Threads, workspaceResults.Count);
        foreach (float[] result in workspaceResults) FloatAssert.BitIdentical(workspaceAlone, result, "workspace on a shared model");
        FloatAssert.BitIdentical(parameters, model.Parameters, "the shared model's parameters");
    }

    /// <summary>
    /// One session's life, seeded by its number: batch 1–3, steps with seeded inputs, a Reset a third of the way,
    /// and a snapshot of the hidden state restored after a detour of 5 steps; every output kept.
    /// </summary>
    private static float[] RunSession(RnnModel model, int seed)
    {
        var random = new Random(seed);
        int n = 1 + seed % 3, d = Shape.InputSize, o = Shape.OutputSize;
        var session = new RnnStreamingSession(model, n);
        var outputs = new List<float>();
        var input = new float[n * d];
        var output = new float[n * o];
        var snapshot = new float[n * Shape.HiddenSize];
        for (int step = 0; step < StepsPerSession; step++)
        {
            if (step == StepsPerSession / 3) session.Reset();
            if (step == StepsPerSession / 2) session.CopyHiddenStateTo(snapshot);
            if (step == StepsPerSession / 2 + 5) session.SetHiddenState(snapshot);
            for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 2 - 1);
            session.Step(input, output);
            outputs.AddRange(output);
        }
        return [.. outputs];
    }

    /// <summary>A whole-sequence forward pass and its gradients, on a workspace of its own.</summary>
    private static float[] RunWorkspace(RnnModel model, int seed)
    {
        var random = new Random(seed);
        const int T = 20, n = 5;
        float[] inputs = Enumerable.Range(0, T * n * Shape.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] targets = Enumerable.Range(0, n * Shape.OutputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var workspace = new RnnWorkspace(model);
        var gradients = new float[Shape.ParameterCount];
        float loss = workspace.ComputeGradients(inputs, T, n, targets, LossKind.LastOutputMeanSquaredError, gradients);
        return [loss, .. gradients];
    }
}

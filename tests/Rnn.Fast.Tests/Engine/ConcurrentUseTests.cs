using System.Collections.Concurrent;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Engine;

/// <summary>
/// Misuse across threads is detected, never silent. A workspace or session entered by a second thread while a call
/// is inside throws InvalidOperationException at once and changes nothing (its pooled buffers are neither grown nor
/// returned); a call that overlaps an update of its model by another thread throws instead of returning a result from
/// a mix of two weight sets. The races are forced deterministically through internal hooks that run inside a call:
/// the workspace's and session's ExclusiveUse.EnteredForTest (a second thread enters then) and the model's
/// ReadBeganForTest (an update lands then). A stress test then runs a writer against readers without hooks.
/// </summary>
public sealed class ConcurrentUseTests
{
    private static readonly RnnShape Shape = new(3, 5, 2);
    private const int T = 4, N = 2;
    private const LossKind Last = LossKind.LastOutputMeanSquaredError;

    public static TheoryData<string> WorkspaceCalls() => ["Forward", "ForwardWithH0", "CopyHiddenState", "Backward", "ComputeGradients", "TrainStep", "TrainStepWithOptions", "Dispose"];

    public static TheoryData<string> SessionCalls() => ["Step", "Reset", "CopyHiddenStateTo", "SetHiddenState"];

    [Theory]
    [MemberData(nameof(WorkspaceCalls))]
    public void ASecondThreadEnteringABusyWorkspaceThrowsAtOnceAndChangesNothing(string call)
    {
        var model = new RnnModel(Shape, 3UL);
        using var workspace = new RnnWorkspace(model);
        float[] inputs = Values(T * N * 3, 1), outputs = new float[N * 2];
        workspace.Forward(inputs, T, N, OutputSteps.LastStep, outputs);
        float[] parameters = model.Parameters.ToArray();
        int capacity = workspace.RowCapacity, passes = workspace.ForwardPassCount;

        // While the test thread is inside Forward (holding the workspace), a second thread makes the call under test with
        // a batch four times larger: were it let in, it would return the buffers to the pool and rent larger ones while
        // the first call writes into them.
        Exception? second = null;
        workspace.Use.EnteredForTest = () =>
        {
            workspace.Use.EnteredForTest = null;
            var thread = new Thread(() => second = Record.Exception(() => Call(workspace, call, 4 * T)));
            thread.Start();
            thread.Join();
        };
        var first = new float[N * 2];
        workspace.Forward(inputs, T, N, OutputSteps.LastStep, first);

        var error = Assert.IsType<InvalidOperationException>(second);
        Assert.Contains("is in use by another call", error.Message);
        Assert.Contains("one thread at a time", error.Message);
        Assert.Equal(capacity, workspace.RowCapacity); // nothing grown, nothing returned to the pool
        Assert.Equal(passes + 1, workspace.ForwardPassCount); // the first call's pass only
        FloatAssert.BitIdentical(outputs, first, "the first call's outputs");
        FloatAssert.BitIdentical(parameters, model.Parameters, "the model");
        Assert.False(workspace.Use.IsHeld);

        // Used one call at a time, from any thread, it works, and a call that throws still lets the next one in.
        Assert.Throws<ArgumentException>(() => workspace.Forward(new float[1], T, N, OutputSteps.LastStep, first));
        Exception? later = null;
        var next = new Thread(() => later = Record.Exception(() => Call(workspace, call, 4 * T)));
        next.Start();
        next.Join();
        Assert.Null(later);
    }

    [Theory]
    [MemberData(nameof(SessionCalls))]
    public void ASecondThreadEnteringABusySessionThrowsAtOnceAndChangesNothing(string call)
    {
        var model = new RnnModel(Shape, 3UL);
        var session = new RnnStreamingSession(model, N);
        float[] input = Values(N * 3, 1), output = new float[N * 2], state = new float[N * 5];
        session.Step(input, output);
        session.CopyHiddenStateTo(state);

        Exception? second = null;
        session.Use.EnteredForTest = () =>
        {
            session.Use.EnteredForTest = null;
            var thread = new Thread(() => second = Record.Exception(() => Call(session, call)));
            thread.Start();
            thread.Join();
        };
        var copy = new float[N * 5];
        session.CopyHiddenStateTo(copy); // the test thread is inside this call when the second thread arrives

        var error = Assert.IsType<InvalidOperationException>(second);
        Assert.Contains("RnnStreamingSession is in use by another call", error.Message);
        FloatAssert.BitIdentical(state, copy, "the state read by the first call");
        session.CopyHiddenStateTo(copy);
        FloatAssert.BitIdentical(state, copy, "the state after the refused call");
        Assert.False(session.Use.IsHeld);

        Exception? later = null;
        var next = new Thread(() => later = Record.Exception(() => Call(session, call)));
        next.Start();
        next.Join();
        Assert.Null(later);
    }

    [Fact]
    public void AStepOverlappedByAnUpdateThrowsAndKeepsTheHiddenState()
    {
        var model = new RnnModel(Shape, 3UL);
        float[] other = ParameterInitialization.CreateUniform(Shape, 4);
        var session = new RnnStreamingSession(model, N);
        float[] input = Values(N * 3, 1), output = new float[N * 2], before = new float[N * 5], after = new float[N * 5];
        session.Step(input, output);
        session.CopyHiddenStateTo(before);

        // The update lands inside the step, after it noted the parameters' version: the step read a mix.
        model.ReadBeganForTest = () =>
        {
            model.ReadBeganForTest = null;
            model.SetParameters(other);
        };
        var error = Assert.Throws<InvalidOperationException>(() => session.Step(input, output));
        Assert.Contains("updated this model's parameters during this call", error.Message);
        session.CopyHiddenStateTo(after);
        FloatAssert.BitIdentical(before, after, "the hidden state after a refused step");

        // The next step runs on the new weights from the kept state: the bits of a session on a model made with them.
        session.Step(input, output);
        var expected = new RnnStreamingSession(new RnnModel(Shape, other), N);
        expected.SetHiddenState(before);
        var expectedOutput = new float[N * 2];
        expected.Step(input, expectedOutput);
        FloatAssert.BitIdentical(expectedOutput, output, "the step after the update");
    }

    [Fact]
    public void WorkspaceCallsOverlappedByAnUpdateThrowAndForgetTheirForwardPass()
    {
        float[] inputs = Values(T * N * 3, 1), targets = Values(N * 2, 2), outputs = new float[N * 2], gradients = new float[Shape.ParameterCount];
        float[] other = ParameterInitialization.CreateUniform(Shape, 4);
        foreach (string call in new[] { "Forward", "Backward", "ComputeGradients", "TrainStep", "TrainStepWithOptions" })
        {
            var model = new RnnModel(Shape, 3UL);
            using var workspace = new RnnWorkspace(model);
            workspace.Forward(inputs, T, N, OutputSteps.LastStep, outputs);
            model.ReadBeganForTest = () =>
            {
                model.ReadBeganForTest = null;
                model.SetParameters(other);
            };
            var error = Assert.Throws<InvalidOperationException>(() => Call(workspace, call, T));
            Assert.Contains("updated this model's parameters during this call", error.Message);
            // The training steps did not apply their update: the model holds exactly what the other thread wrote.
            FloatAssert.BitIdentical(other, model.Parameters, $"the model after a refused {call}");
            Assert.Throws<InvalidOperationException>(() => workspace.Backward(outputs, gradients, default, default));
        }
    }

    [Fact]
    public void ReadsOverlappedByAnUpdateThrowForCopiesVerificationAndTrainingCommits()
    {
        var model = new RnnModel(Shape, 3UL);
        float[] other = ParameterInitialization.CreateUniform(Shape, 4);
        void UpdateDuringTheNextRead() => model.ReadBeganForTest = () =>
        {
            model.ReadBeganForTest = null;
            model.SetParameters(other);
        };

        UpdateDuringTheNextRead();
        Assert.Throws<InvalidOperationException>(() => model.CopyParametersTo(new float[Shape.ParameterCount]));
        UpdateDuringTheNextRead();
        Assert.Throws<InvalidOperationException>(() => EngineVerification.Compare(model, Values(T * N * 3, 1), T, N, Values(N * 2, 2), Last));
    }

    [Fact]
    public void AnUpdateInProgressRefusesReadersAndASecondUpdate()
    {
        var model = new RnnModel(Shape, 3UL);
        float[] parameters = model.Parameters.ToArray();
        var session = new RnnStreamingSession(model);
        using var workspace = new RnnWorkspace(model);

        // As if another thread were inside SetParameters: the parameters are marked as being written.
        model.BeginUpdate(model.Version);
        try
        {
            Assert.Contains("Another thread is updating", Assert.Throws<InvalidOperationException>(() => session.Step(new float[3], new float[2])).Message);
            Assert.Throws<InvalidOperationException>(() => workspace.Forward(Values(T * N * 3, 1), T, N, OutputSteps.LastStep, new float[N * 2]));
            Assert.Throws<InvalidOperationException>(() => model.SetParameters(new float[Shape.ParameterCount]));
            Assert.Throws<InvalidOperationException>(() => model.ApplyGradientDescent(new float[Shape.ParameterCount], 0.1f));
        }
        finally
        {
            model.EndUpdate();
        }

        FloatAssert.BitIdentical(parameters, model.Parameters, "the model");
        session.Step(new float[3], new float[2]); // free again
    }

    /// <summary>
    /// A writer alternates the model between two weight sets as fast as it can while readers run single steps and
    /// forward passes on it. Every reader result must be, bit for bit, the result of one of the two sets, or the call
    /// must throw InvalidOperationException; a result computed from a mix is the failure this prevents. Each reader
    /// makes a fixed number of calls (so what is checked does not depend on timing); the writer updates during the first
    /// half of them, at arbitrary moments of the reads in flight, so many are refused, and stops for the second half,
    /// so some always get through.
    /// </summary>
    [Fact]
    public void UnderStressEveryReadIsOneWeightSetOrRefused()
    {
        const int Readers = 2, CallsPerReader = 10_000;
        var shape = new RnnShape(16, 64, 8);
        float[] setA = ParameterInitialization.CreateUniform(shape, 1), setB = ParameterInitialization.CreateUniform(shape, 2);
        float[] input = Values(shape.InputSize, 7), sequence = Values(5 * shape.InputSize, 8);
        (float[] Step, float[] Forward) Expected(float[] set)
        {
            var alone = new RnnModel(shape, set);
            float[] step = new float[shape.OutputSize], forward = new float[shape.OutputSize];
            new RnnStreamingSession(alone).Step(input, step);
            using var workspace = new RnnWorkspace(alone);
            workspace.Forward(sequence, 5, 1, OutputSteps.LastStep, forward);
            return (step, forward);
        }

        var (stepA, forwardA) = Expected(setA);
        var (stepB, forwardB) = Expected(setB);
        var model = new RnnModel(shape, setA);
        var mixed = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<Exception>();
        int accepted = 0, refused = 0;
        using var start = new ManualResetEventSlim(false);
        var writer = new Thread(() =>
        {
            // Updates as fast as it can (with a short pause, so that some reads fit between them) during the first half
            // of the reads; the second half runs on a model nobody updates, so some reads get through on every path,
            // however slow its reads are (the scalar path's are many times slower than an update).
            for (long i = 0; Volatile.Read(ref accepted) + Volatile.Read(ref refused) < Readers * CallsPerReader / 2; i++)
            {
                try
                {
                    model.SetParameters(i % 2 == 0 ? setB : setA);
                    start.Set(); // the readers start once the writer runs
                    Thread.SpinWait(200);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        });
        var readers = Enumerable.Range(0, Readers).Select(r => new Thread(() =>
        {
            var session = new RnnStreamingSession(model);
            using var workspace = new RnnWorkspace(model);
            float[] output = new float[shape.OutputSize];
            start.Wait();
            try
            {
                for (int call = 0; call < CallsPerReader; call++)
                {
                    bool step = (call + r) % 2 == 0;
                    try
                    {
                        if (step)
                        {
                            session.Reset();
                            session.Step(input, output);
                        }
                        else
                        {
                            workspace.Forward(sequence, 5, 1, OutputSteps.LastStep, output);
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref refused);
                        continue;
                    }

                    Interlocked.Increment(ref accepted);
                    float[] a = step ? stepA : forwardA, b = step ? stepB : forwardB;
                    if (!SameBits(a, output) && !SameBits(b, output)) mixed.Enqueue($"{(step ? "Step" : "Forward")} call {call} of reader {r}: [{string.Join(", ", output)}]");
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();

        readers.ForEach(t => t.Start());
        writer.Start();
        readers.ForEach(t => t.Join());
        writer.Join();

        Assert.Empty(failures);
        Assert.Empty(mixed);
        Assert.Equal(Readers * CallsPerReader, accepted + refused);
        Assert.True(accepted > 0, "no read got through");
    }

    private static void Call(RnnWorkspace workspace, string call, int sequenceLength)
    {
        float[] inputs = Values(sequenceLength * N * 3, 1), targets = Values(N * 2, 2);
        switch (call)
        {
            case "Forward": workspace.Forward(inputs, sequenceLength, N, OutputSteps.LastStep, new float[N * 2]); break;
            case "ForwardWithH0": workspace.Forward(inputs, sequenceLength, N, Values(N * 5, 3), OutputSteps.EveryStep, new float[sequenceLength * N * 2]); break;
            case "CopyHiddenState": workspace.CopyHiddenState(1, new float[N * 5]); break;
            case "Backward": workspace.Backward(Values(N * 2, 4), new float[Shape.ParameterCount], new float[N * 5], default); break;
            case "ComputeGradients": workspace.ComputeGradients(inputs, sequenceLength, N, targets, Last, new float[Shape.ParameterCount]); break;
            case "TrainStep": workspace.TrainStep(inputs, sequenceLength, N, targets, Last, 0.01f); break;
            case "TrainStepWithOptions": workspace.TrainStep(inputs, sequenceLength, N, targets, Last, new TrainingOptions(0.01f) { GuardNonFinite = true }); break;
            case "Dispose": workspace.Dispose(); break;
            default: throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }

    private static void Call(RnnStreamingSession session, string call)
    {
        switch (call)
        {
            case "Step": session.Step(Values(N * 3, 5), new float[N * 2]); break;
            case "Reset": session.Reset(); break;
            case "CopyHiddenStateTo": session.CopyHiddenStateTo(new float[N * 5]); break;
            case "SetHiddenState": session.SetHiddenState(Values(N * 5, 6)); break;
            default: throw new ArgumentOutOfRangeException(nameof(call), call, null);
        }
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        expected.AsSpan().SequenceEqual(actual) && expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits));

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}

using Rnn.Fast.Cli;
using Rnn.Fast.Cli.Demo;

namespace Rnn.Fast.Tests.Cli;

/// <summary>The tutorial does what the README promises: with default settings (the fast engine, float32) it predicts 11 after 1, 3, 5, 7, 9.</summary>
public sealed class DemoTests
{
    [Fact]
    public void WithDefaultSettingsTheDemoPredictsElevenWithinAHalfAndTheUnseenWindowWithinOne()
    {
        var output = new StringWriter();

        DemoResult result = DemoCommand.Run(new DemoOptions(), output);

        Assert.Null(result.DivergedAtStep);
        Assert.InRange(result.TutorialPrediction, 10.5, 11.5);
        Assert.InRange(result.UnseenPrediction, 30, 32);
        Assert.Contains("1, 3, 5, 7, 9 -> ", output.ToString());
    }

    [Fact]
    public void TheDemoCommandPrintsTheScalingProgressAndBothPredictions()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = CommandLine.Run(["demo", "--epochs", "120"], output, error);

        Assert.Equal(CommandLine.SuccessExitCode, exitCode);
        Assert.Empty(error.ToString());
        string text = output.ToString();
        Assert.Contains("x/50", text);
        Assert.Contains("1, 3, 5, 7, 9 -> ", text);
        Assert.Contains("21, 23, 25, 27, 29 -> ", text);
        // A dozen progress lines: steps 0, 10, …, 110 and the final 120.
        int progressLines = text.Split(Environment.NewLine).Count(line => line.Contains("e-0") || line.Contains("e+0"));
        Assert.InRange(progressLines, 12, 14);
    }

    [Fact]
    public void EqualSeedsGiveIdenticalOutputAndDifferentSeedsDifferentOutput()
    {
        string Demo(ulong seed)
        {
            var output = new StringWriter();
            DemoCommand.Run(new DemoOptions(Seed: seed, Epochs: 50), output);
            return output.ToString();
        }

        Assert.Equal(Demo(3), Demo(3));
        Assert.NotEqual(Demo(3), Demo(4));
    }

    [Fact]
    public void TheDemoRunsOnTheFastEngineByDefaultAndOnTheReferenceOnRequest()
    {
        var fast = new StringWriter();
        var reference = new StringWriter();

        DemoCommand.Run(new DemoOptions(Epochs: 20), fast);
        DemoCommand.Run(new DemoOptions(Epochs: 20, Engine: DemoEngine.Reference), reference);

        Assert.Contains("training: fast (float32", fast.ToString());
        Assert.Contains("training: reference (double precision)", reference.ToString());
        Assert.Equal(0, CommandLine.Run(["demo", "--engine", "reference", "--epochs", "5"], TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void WithDefaultSettingsTheReferenceEngineAlsoPredictsEleven()
    {
        DemoResult result = DemoCommand.Run(new DemoOptions(Engine: DemoEngine.Reference), TextWriter.Null);

        Assert.InRange(result.TutorialPrediction, 10.5, 11.5);
    }

    [Fact]
    public void TheUnseenWindowIsNotATrainingWindow()
    {
        Assert.DoesNotContain(OddNumberSequences.UnseenStart, OddNumberSequences.TrainingStarts);
        Assert.Contains(OddNumberSequences.TutorialStart, OddNumberSequences.TrainingStarts);
    }

    [Fact]
    public void TrainingDataAreTimeMajorAndScaled()
    {
        // Two windows (a = 1 and a = 3): X_t = ((1 + 2t)/50, (3 + 2t)/50), targets 11/50 and 13/50.
        float[] inputs = OddNumberSequences.Inputs([1, 3]);

        Assert.Equal([1 / 50f, 3 / 50f, 3 / 50f, 5 / 50f, 5 / 50f, 7 / 50f, 7 / 50f, 9 / 50f, 9 / 50f, 11 / 50f], inputs);
        Assert.Equal([11 / 50f, 13 / 50f], OddNumberSequences.Targets([1, 3]));
    }

    [Fact]
    public void AnyEngineCanRunTheDemo()
    {
        // The demo talks to ITrainingEngine only: an engine that predicts a constant and never learns is run as-is.
        DemoResult result = DemoCommand.Run(new DemoOptions(Epochs: 3), new StringWriter(), (_, _) => new ConstantEngine());

        Assert.Equal(50 * 0.5, result.TutorialPrediction, 1e-6);
        Assert.Equal(50 * 0.5, result.UnseenPrediction, 1e-6);
    }

    private sealed class ConstantEngine : ITrainingEngine
    {
        public string Description => "constant";

        public double TrainStep(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, ReadOnlySpan<float> targets, double learningRate) => 1;

        public void PredictLast(ReadOnlySpan<float> inputs, int sequenceLength, int batchSize, Span<float> destination) => destination.Fill(0.5f);
    }
}

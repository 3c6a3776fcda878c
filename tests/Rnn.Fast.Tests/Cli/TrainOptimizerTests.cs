using System.Globalization;
using Rnn.Fast.Cli;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Cli;

/// <summary>
/// <c>rnn train --optimizer</c> and <c>--resume</c>: each optimizer trains the sample and records its settings and
/// state; a run stopped after some epochs and resumed writes the model file of the run that never stopped (parameters
/// and optimizer state, bit for bit); a resume that does not continue the same run, and out-of-range hyper-parameters,
/// exit 2 with one line naming the option, writing nothing.
/// </summary>
public sealed class TrainOptimizerTests
{
    private static string[] Train(string model, int epochs, params string[] more) =>
        ["train", "--data", CliHarness.SampleData, "--target", "demand", "--features", "temperature,demand", "--window", "14", "--hidden", "12",
         "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--seed", "3", "--no-plot", "--out", model, .. more];

    public static TheoryData<string[]> OptimizerArguments => new()
    {
        new[] { "--optimizer", "momentum", "--learning-rate", "0.02", "--momentum", "0.9", "--nesterov" },
        new[] { "--optimizer", "adam", "--learning-rate", "0.003", "--amsgrad", "--weight-decay", "0.001" },
        new[] { "--optimizer", "adamw", "--learning-rate", "0.003", "--beta2", "0.99" },
    };

    [Theory]
    [MemberData(nameof(OptimizerArguments))]
    public void AStoppedAndResumedRunWritesTheModelOfTheRunThatNeverStopped(string[] optimizer)
    {
        using var folder = new TemporaryFolder();
        string straight = folder.File("straight.rnnf"), half = folder.File("half.rnnf"), resumed = folder.File("resumed.rnnf");
        var (exit, output, error) = CliHarness.Run(Train(straight, 6, optimizer));
        Assert.True(exit == CommandLine.SuccessExitCode, error);
        Assert.Contains(optimizer[1] switch { "momentum" => "SGD with Nesterov momentum 0.9", "adam" => "Adam (AMSGrad)", _ => "AdamW, β1 0.9, β2 0.99" }, output);
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run(Train(half, 2, optimizer)).ExitCode);
        (exit, output, error) = CliHarness.Run([.. Train(resumed, 6, optimizer), "--resume", half]);
        Assert.True(exit == CommandLine.SuccessExitCode, error);
        Assert.Contains($"resuming: {half} after epoch 2", output);

        RnnModelFileContents expected = RnnModelFile.LoadContents(straight), actual = RnnModelFile.LoadContents(resumed);
        FloatAssert.BitIdentical(expected.Model.Parameters.ToArray(), actual.Model.Parameters.ToArray(), "resumed parameters");
        TrainingState expectedState = expected.TrainingState!, actualState = actual.TrainingState!;
        Assert.Equal(expectedState.Kind, actualState.Kind);
        Assert.Equal(expectedState.StepCount, actualState.StepCount);
        for (int b = 0; b < 3; b++) FloatAssert.BitIdentical(expectedState.Buffer(b).ToArray(), actualState.Buffer(b).ToArray(), $"resumed state buffer {b}");
        Assert.Equal(optimizer[1], actual.Metadata["train.optimizer"]);
    }

    [Fact]
    public void AResumeThatDoesNotContinueTheSameRunIsRefusedNamingTheDifference()
    {
        using var folder = new TemporaryFolder();
        string half = folder.File("half.rnnf"), next = folder.File("next.rnnf");
        string[] adamW = ["--optimizer", "adamw", "--learning-rate", "0.003"];
        Assert.Equal(CommandLine.SuccessExitCode, CliHarness.Run(Train(half, 2, adamW)).ExitCode);

        (string[] Arguments, string Mention)[] cases =
        [
            (Train(next, 4, "--optimizer", "adam", "--learning-rate", "0.003"), "train.optimizer = adamw, this one has adam"),
            (Train(next, 4, "--optimizer", "adamw", "--learning-rate", "0.004"), "learning rate 0.004"),
            (Train(next, 2, adamW), "already took 2 epochs; give --epochs above 2"),
            ([.. Train(next, 4, adamW).Select(a => a == "12" ? "13" : a)], "shape d=2, h=12, o=1, this run's has d=2, h=13, o=1"),
            ([.. Train(next, 4, adamW), "--batch", "8"], "train.batch"),
        ];
        foreach ((string[] arguments, string mention) in cases)
        {
            var (exit, _, error) = CliHarness.Run([.. arguments, "--resume", half]);
            Assert.Equal(CommandLine.UsageErrorExitCode, exit);
            Assert.Contains(mention, error);
            Assert.Single(CliHarness.Lines(error));
            Assert.False(File.Exists(next), "a refused resume writes nothing");
        }
    }

    [Theory]
    [InlineData(new[] { "--optimizer", "adam", "--beta1", "1" }, "--beta1 must be in [0, 1), but is 1")]
    [InlineData(new[] { "--optimizer", "adamw", "--beta2", "1.5" }, "--beta2 must be in [0, 1), but is 1.5")]
    [InlineData(new[] { "--optimizer", "momentum", "--dampening", "0.5", "--nesterov" }, "--nesterov needs a momentum above 0 and zero dampening")]
    [InlineData(new[] { "--optimizer", "sgd", "--momentum", "0.9" }, "--momentum sets a hyper-parameter of --optimizer momentum, not of sgd")]
    [InlineData(new[] { "--optimizer", "momentum", "--amsgrad" }, "--amsgrad sets a hyper-parameter of --optimizer adam or adamw, not of momentum")]
    [InlineData(new[] { "--optimizer", "rmsprop" }, "--optimizer")]
    [InlineData(new[] { "--weight-decay", "-1" }, "--weight-decay")]
    public void OutOfRangeHyperParametersExitTwoWithOneLineNamingTheOption(string[] arguments, string mention)
    {
        using var folder = new TemporaryFolder();
        string model = folder.File("m.rnnf");
        var (exit, _, error) = CliHarness.Run(Train(model, 2, arguments));
        Assert.Equal(CommandLine.UsageErrorExitCode, exit);
        Assert.Contains(mention, error);
        Assert.Single(CliHarness.Lines(error));
        Assert.False(File.Exists(model));
    }
}

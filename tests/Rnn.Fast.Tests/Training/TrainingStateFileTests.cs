using FsCheck.Xunit;
using Rnn.Fast.Interop;
using Rnn.Fast.Tests.Serialization;
using Rnn.Fast.Tests.Support;

namespace Rnn.Fast.Tests.Training;

/// <summary>
/// The optimizer state in the model file: a run stopped at any step, saved, loaded into a new model and workspace and
/// continued is the run that never stopped, bit for bit; the sections are the documented ones (a file written by a
/// Python script from the documentation loads with every value and resaves to its bytes); a version-1 file and a
/// version-2 file without them hold no state; a state that does not fit is refused, naming the section.
/// </summary>
public sealed class TrainingStateFileTests
{
    private static readonly RnnShape Shape = new(2, 11, 1);
    private const int T = 3, N = 2, Steps = 12;

    private static readonly TrainingOptions[] Configurations =
    [
        new(0.05f) { Optimizer = new SgdOptimizer { Momentum = 0.9, Dampening = 0.1 }, Schedule = new StepDecaySchedule(4, 0.5) },
        new(0.02f) { Optimizer = new SgdOptimizer { Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3 } },
        new(0.05f) { Schedule = new LinearSchedule(0.1, 1, 6) },
        new(0.01f) { Optimizer = new AdamOptimizer { AmsGrad = true, WeightDecay = 1e-3 }, Schedule = new CosineAnnealingSchedule(Steps, 1e-4) },
        new(0.01f)
        {
            Optimizer = new AdamWOptimizer { WeightDecay = 0.05 }, Schedule = new LinearSchedule(0.25, 1, 5),
            ParameterGroups = [new ParameterGroup(RnnParameter.Bh, RnnParameter.Bo) { WeightDecay = 0, LearningRate = 0.02f }],
            MaxGradientValue = 0.2f, MaxGradientNorm = 0.5f, GuardNonFinite = true,
        },
    ];

    // 40 cases × 2 runs of 12 small steps and one file each: well under a second.
    [Property(MaxTest = 40)]
    public void ARunStoppedAtAnyStepSavedLoadedAndContinuedIsTheRunThatNeverStopped(int seed)
    {
        var random = new Random(seed);
        TrainingOptions options = Configurations[random.Next(Configurations.Length)];
        int stop = random.Next(0, Steps + 1);
        float[][] inputs = [.. Enumerable.Range(0, Steps).Select(_ => TestData.Uniform(random, T * N * 2, 1f))];
        float[][] targets = [.. Enumerable.Range(0, Steps).Select(_ => TestData.Uniform(random, N, 1f))];
        const LossKind Last = LossKind.LastOutputMeanSquaredError;

        var straight = new RnnModel(Shape, (ulong)seed);
        using (var workspace = new RnnWorkspace(straight))
        {
            for (int k = 0; k < Steps; k++) workspace.TrainStep(inputs[k], T, N, targets[k], Last, options);
        }

        using var folder = new TemporaryFolder();
        string path = folder.File("checkpoint.rnnf");
        var first = new RnnModel(Shape, (ulong)seed);
        using (var workspace = new RnnWorkspace(first))
        {
            for (int k = 0; k < stop; k++) workspace.TrainStep(inputs[k], T, N, targets[k], Last, options);
            RnnModelFile.Save(first, path, workspace.CopyTrainingState().ToSections());
        }

        RnnModelFileContents contents = RnnModelFile.LoadContents(path);
        Assert.Equal(stop == 0 ? null : stop, contents.TrainingState?.StepCount);
        using (var workspace = new RnnWorkspace(contents.Model))
        {
            if (contents.TrainingState is TrainingState state) workspace.RestoreTrainingState(state);
            for (int k = stop; k < Steps; k++) workspace.TrainStep(inputs[k], T, N, targets[k], Last, options);
        }
        FloatAssert.BitIdentical(straight.Parameters.ToArray(), contents.Model.Parameters.ToArray(), $"{options.Optimizer.GetType().Name}, stopped after {stop} of {Steps} steps");
    }

    [Fact]
    public void TheFixtureWrittenByPythonLoadsWithEveryValueAndTheLibraryWritesTheSameBytes()
    {
        string path = RepositoryFiles.Path("tests/Fixtures/model-files/optimizer-state.rnnf");
        RnnModelFileContents contents = RnnModelFile.LoadContents(path);
        TrainingState state = contents.TrainingState!;
        Assert.Equal(new RnnShape(1, 2, 1), state.Shape);
        Assert.Equal((TrainingStateKind?)TrainingStateKind.AdamWAmsGrad, state.Kind);
        Assert.Equal(42, state.StepCount);
        for (int i = 0; i < 11; i++)
        {
            Assert.Equal((float)(0.1 * i), contents.Model.Parameters[i]);
            Assert.Equal((float)(0.01 * (i - 5)), state.FirstMoment[i]);
            Assert.Equal((float)(0.001 * i), state.SecondMoment[i]);
            Assert.Equal((float)(0.002 * i), state.MaxSecondMoment[i]);
        }
        Assert.True(state.MomentumBuffer.IsEmpty);
        Assert.Equal(File.ReadAllBytes(path), ModelFileBytes.Save(contents.Model, state.ToSections()));

        using var workspace = new RnnWorkspace(contents.Model);
        workspace.RestoreTrainingState(state);
        workspace.TrainStep([0.5f], 1, 1, [0.25f], LossKind.LastOutputMeanSquaredError, new TrainingOptions(1e-3f) { Optimizer = new AdamWOptimizer { AmsGrad = true } });
        Assert.Equal(43, workspace.CopyTrainingState().StepCount);
    }

    [Fact]
    public void FilesWithoutOptimizerSectionsHoldNoStateAndEveryVersionOneFileStillLoads()
    {
        RnnModelFileContents version1 = RnnModelFile.LoadContents(RepositoryFiles.Path("tests/Fixtures/model-files/version-1.rnnf"));
        Assert.Equal(1, version1.FormatVersion);
        Assert.Null(version1.TrainingState);
        Assert.Null(RnnModelFile.LoadContents(RepositoryFiles.Path("tests/Fixtures/model-files/version-2.rnnf")).TrainingState);
        using var workspace = new RnnWorkspace(new RnnModel(Shape, 1UL));
        Assert.Empty(workspace.CopyTrainingState().ToSections());
    }

    [Fact]
    public void AStateThatDoesNotFitIsRefusedNamingTheSectionOnSaveAndOnLoad()
    {
        var model = new RnnModel(Shape, 2UL);
        int p = Shape.ParameterCount;
        ModelFileSection kind = ModelFileSection.CreateText(ModelFileSectionNames.OptimizerKind, "adam");
        ModelFileSection step = ModelFileSection.CreateInt64Array(ModelFileSectionNames.OptimizerStep, [3]);
        ModelFileSection m = ModelFileSection.CreateFloat32Array(ModelFileSectionNames.OptimizerFirstMoment, new float[p]);
        ModelFileSection v = ModelFileSection.CreateFloat32Array(ModelFileSectionNames.OptimizerSecondMoment, new float[p]);

        // A buffer of another shape's length (a state from another model), a missing buffer, a buffer of another
        // optimizer, an unknown kind, a negative step count, a negative second moment.
        (ModelFileSection[] Sections, string Message)[] bad =
        [
            ([kind, step, m, ModelFileSection.CreateFloat32Array(ModelFileSectionNames.OptimizerSecondMoment, new float[p + 1])],
                $"'optimizer.exp_avg_sq' must have {p} values for the shape d=2, h=11, o=1, not {p + 1}"),
            ([kind, step, m], "a 'adam' optimizer state needs 'optimizer.exp_avg_sq'"),
            ([kind, step, m, v, ModelFileSection.CreateFloat32Array(ModelFileSectionNames.OptimizerMomentumBuffer, new float[p])],
                "a 'adam' optimizer state has no 'optimizer.momentum_buffer'"),
            ([ModelFileSection.CreateText(ModelFileSectionNames.OptimizerKind, "rmsprop"), step], "'optimizer.kind' must be one of sgd, sgd-momentum, adam, adam-amsgrad, adamw, adamw-amsgrad, not 'rmsprop'"),
            ([kind, ModelFileSection.CreateInt64Array(ModelFileSectionNames.OptimizerStep, [-1]), m, v], "'optimizer.step' must be at least 0, not -1"),
            ([step, m, v], "need 'optimizer.kind'"),
            ([kind, step, m, ModelFileSection.CreateFloat32Array(ModelFileSectionNames.OptimizerSecondMoment, [.. Enumerable.Repeat(-1f, p)])],
                "'optimizer.exp_avg_sq' holds -1 at Wxh[0, 0] (index 0); every value must be finite and at least 0"),
        ];
        using var folder = new TemporaryFolder();
        foreach ((ModelFileSection[] sections, string message) in bad)
        {
            string path = folder.File("bad.rnnf");
            var saveError = Assert.Throws<ArgumentException>(() => RnnModelFile.Save(model, path, sections));
            Assert.Contains(message, saveError.Message);
            Assert.False(File.Exists(path), "a refused save writes nothing");

            // The same sections in a file written around the check (as another writer might): the loader refuses it.
            byte[] file = ForgeVersion2(model, sections);
            var loadError = Assert.Throws<InvalidModelFileException>(() => RnnModelFile.LoadContents(new MemoryStream(file)));
            Assert.Contains(message, loadError.Message);
        }
    }

    /// <summary>A version-2 file with <paramref name="sections"/>, written from the documented layout without the save's checks.</summary>
    private static byte[] ForgeVersion2(RnnModel model, ModelFileSection[] sections)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            writer.Write("RNNF"u8);
            writer.Write(2u);
            writer.Write(model.Shape.InputSize);
            writer.Write(model.Shape.HiddenSize);
            writer.Write(model.Shape.OutputSize);
            writer.Write(1u);
            writer.Write((long)model.Shape.ParameterCount);
            foreach (float value in model.Parameters) writer.Write(value);
            writer.Write((uint)sections.Length);
            foreach (ModelFileSection section in sections)
            {
                writer.Write((byte)section.Name.Length);
                writer.Write(System.Text.Encoding.ASCII.GetBytes(section.Name));
                writer.Write((uint)section.Type);
                writer.Write(0u);
                writer.Write((ulong)section.Payload.Length);
                writer.Write(section.Payload);
            }
        }
        byte[] body = stream.ToArray();
        byte[] file = new byte[body.Length + 4];
        body.CopyTo(file, 0);
        ModelFileBytes.FixChecksum(file);
        return file;
    }
}

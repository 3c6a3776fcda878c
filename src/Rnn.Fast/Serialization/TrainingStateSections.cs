namespace Rnn.Fast;

/// <summary>
/// A <see cref="TrainingState"/> as model-file sections (<see cref="ModelFileSectionNames.OptimizerKind"/> and its
/// siblings): the kind as text, the step count, and one Float32Array of P values per buffer, under torch's names. The
/// schedule's position is the step count, so nothing else is needed to resume.
/// </summary>
internal static class TrainingStateSections
{
    private static readonly (TrainingStateKind Kind, string Name)[] KindNames =
    [
        (TrainingStateKind.Sgd, "sgd"), (TrainingStateKind.SgdMomentum, "sgd-momentum"), (TrainingStateKind.Adam, "adam"),
        (TrainingStateKind.AdamAmsGrad, "adam-amsgrad"), (TrainingStateKind.AdamW, "adamw"), (TrainingStateKind.AdamWAmsGrad, "adamw-amsgrad"),
    ];

    private static readonly string[] BufferSections =
    [
        ModelFileSectionNames.OptimizerMomentumBuffer, ModelFileSectionNames.OptimizerFirstMoment,
        ModelFileSectionNames.OptimizerSecondMoment, ModelFileSectionNames.OptimizerMaxSecondMoment,
    ];

    /// <summary>The file name of <paramref name="kind"/>.</summary>
    public static string NameOf(TrainingStateKind kind) => KindNames.Single(k => k.Kind == kind).Name;

    /// <summary>The sections of <paramref name="state"/>; none before its first step.</summary>
    public static IReadOnlyList<ModelFileSection> Create(TrainingState state)
    {
        if (state.Kind is not TrainingStateKind kind) return [];
        var sections = new List<ModelFileSection>
        {
            ModelFileSection.CreateText(ModelFileSectionNames.OptimizerKind, NameOf(kind)),
            ModelFileSection.CreateInt64Array(ModelFileSectionNames.OptimizerStep, [state.StepCount]),
        };
        foreach ((string name, int index) in BuffersOf(kind)) sections.Add(ModelFileSection.CreateFloat32Array(name, state.Buffer(index)));
        return sections;
    }

    /// <summary>The state the sections hold, or null when they hold none (checked by the loader first).</summary>
    public static TrainingState? Read(IReadOnlyList<ModelFileSection> sections, RnnShape shape)
    {
        ModelFileSection? kindSection = Find(sections, ModelFileSectionNames.OptimizerKind);
        if (kindSection is null) return null;
        TrainingStateKind kind = KindNames.Single(k => k.Name == kindSection.GetText()).Kind;
        long step = Find(sections, ModelFileSectionNames.OptimizerStep)!.GetInt64Array()[0];
        float[][] buffers = [.. BuffersOf(kind).Select(b => Find(sections, b.Name)!.GetFloat32Array())];
        return TrainingState.Create(shape, kind, step, buffers);
    }

    /// <summary>Why one optimizer section's values are out of range (a known kind, a step count of at least 0, finite
    /// buffers, squares at least 0); null when they fit or the section is not an optimizer section.</summary>
    public static string? ValueProblem(ModelFileSection section, RnnShape shape)
    {
        switch (section.Name)
        {
            case ModelFileSectionNames.OptimizerKind:
                string text = section.GetText();
                return KindNames.Any(k => k.Name == text)
                    ? null
                    : $"'{section.Name}' must be one of {string.Join(", ", KindNames.Select(k => k.Name))}, not '{text}'";
            case ModelFileSectionNames.OptimizerStep:
                long step = section.GetInt64Array()[0];
                return step >= 0 ? null : $"'{section.Name}' must be at least 0, not {step}";
            case ModelFileSectionNames.OptimizerMomentumBuffer or ModelFileSectionNames.OptimizerFirstMoment
                or ModelFileSectionNames.OptimizerSecondMoment or ModelFileSectionNames.OptimizerMaxSecondMoment:
                bool squares = section.Name is ModelFileSectionNames.OptimizerSecondMoment or ModelFileSectionNames.OptimizerMaxSecondMoment;
                float[] values = section.GetFloat32Array();
                for (int i = 0; i < values.Length; i++)
                {
                    if (!float.IsFinite(values[i]) || (squares && values[i] < 0))
                    {
                        return $"'{section.Name}' holds {values[i]} at {NonFiniteGuard.ParameterName(shape, i, "")} (index {i}); every value must be finite{(squares ? " and at least 0" : "")}";
                    }
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>Why the optimizer sections do not form one state: a kind without its step count or a buffer it needs, or
    /// a buffer or step count without a kind or of another kind; null when they do (or there are none).</summary>
    public static string? Problem(IReadOnlyList<ModelFileSection> sections)
    {
        ModelFileSection? kindSection = Find(sections, ModelFileSectionNames.OptimizerKind);
        string[] present = [.. BufferSections.Where(name => Find(sections, name) is not null)];
        bool hasStep = Find(sections, ModelFileSectionNames.OptimizerStep) is not null;
        if (kindSection is null)
        {
            if (present.Length == 0 && !hasStep) return null;
            return $"the optimizer sections ({string.Join(", ", present.Append(hasStep ? ModelFileSectionNames.OptimizerStep : "").Where(n => n.Length > 0))}) need '{ModelFileSectionNames.OptimizerKind}'";
        }

        (TrainingStateKind Kind, string Name) kind = KindNames.FirstOrDefault(k => k.Name == kindSection.GetText());
        if (kind.Name is null) return null; // ValueProblem names the unknown kind
        if (!hasStep) return $"a '{kind.Name}' optimizer state needs '{ModelFileSectionNames.OptimizerStep}'";
        string[] needed = [.. BuffersOf(kind.Kind).Select(b => b.Name)];
        foreach (string name in needed)
        {
            if (!present.Contains(name)) return $"a '{kind.Name}' optimizer state needs '{name}'";
        }
        foreach (string name in present)
        {
            if (!needed.Contains(name)) return $"a '{kind.Name}' optimizer state has no '{name}'";
        }
        return null;
    }

    private static IEnumerable<(string Name, int Index)> BuffersOf(TrainingStateKind kind) => kind switch
    {
        TrainingStateKind.Sgd => [],
        TrainingStateKind.SgdMomentum => [(ModelFileSectionNames.OptimizerMomentumBuffer, 0)],
        TrainingStateKind.Adam or TrainingStateKind.AdamW => [(ModelFileSectionNames.OptimizerFirstMoment, 0), (ModelFileSectionNames.OptimizerSecondMoment, 1)],
        _ => [(ModelFileSectionNames.OptimizerFirstMoment, 0), (ModelFileSectionNames.OptimizerSecondMoment, 1), (ModelFileSectionNames.OptimizerMaxSecondMoment, 2)],
    };

    private static ModelFileSection? Find(IReadOnlyList<ModelFileSection> sections, string name)
    {
        foreach (ModelFileSection section in sections)
        {
            if (section.Name == name) return section;
        }
        return null;
    }
}

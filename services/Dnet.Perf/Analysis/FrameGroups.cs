namespace Dnet.Perf;

/// <summary>
/// Classifies frame names into counter groups for request stats. Rules, in order:
/// (1) names ending in <c>.wait</c> are idle waiting and always belong to <see cref="Wait"/>;
/// (2) otherwise the longest (most specific) matching prefix wins, whichever group owns it; a prefix matches a
/// name equal to it or continuing with a dot (<c>network.rx</c> matches <c>network.rx.prepare</c>, not
/// <c>network.rxq</c>); a prefix belongs to one group, so adding it again moves it to the newer group;
/// (3) anything else is <see cref="Other"/>. Built in: compute, network, memory, wait, other. Thread-safe.
/// </summary>
public sealed class FrameGroups
{
    /// <summary>Built-in group of <c>compute.*</c> frames.</summary>
    public const string Compute = "compute";

    /// <summary>Built-in group of <c>network.*</c> frames.</summary>
    public const string Network = "network";

    /// <summary>Built-in group of <c>memory.*</c> frames.</summary>
    public const string Memory = "memory";

    /// <summary>Built-in group of idle <c>*.wait</c> frames.</summary>
    public const string Wait = "wait";

    /// <summary>Built-in group of frames no prefix matches.</summary>
    public const string Other = "other";

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> groupOfPrefix = new(StringComparer.Ordinal);
    private readonly List<string> order = [Compute, Network, Memory, Wait, Other];

    /// <summary>Creates the built-in groups.</summary>
    public FrameGroups()
    {
        groupOfPrefix[Compute] = Compute;
        groupOfPrefix[Network] = Network;
        groupOfPrefix[Memory] = Memory;
    }

    /// <summary>Group names in the order they were defined (built-ins first).</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                return [.. order];
            }
        }
    }

    /// <summary>Adds a group, or more prefixes to an existing one, at run time.</summary>
    /// <param name="name">Group name; not <see cref="Wait"/> or <see cref="Other"/>, which have no prefixes.</param>
    /// <param name="prefixes">Dotted frame-name prefixes, e.g. <c>compute.thread.execute</c>.</param>
    public void AddGroup(string name, params IEnumerable<string> prefixes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(prefixes);
        if (name is Wait or Other)
        {
            throw new ArgumentException($"'{name}' is defined by rule, not by prefixes.", nameof(name));
        }

        var cleaned = prefixes.Select(p => p.Trim().TrimEnd('.')).ToList();
        if (cleaned.Count == 0 || cleaned.Any(p => p.Length == 0))
        {
            throw new ArgumentException("A group needs at least one non-empty prefix.", nameof(prefixes));
        }

        lock (gate)
        {
            if (!order.Contains(name))
            {
                order.Insert(order.Count - 2, name);
            }

            foreach (var prefix in cleaned)
            {
                groupOfPrefix[prefix] = name;
            }
        }
    }

    /// <summary>The group a frame name belongs to.</summary>
    /// <param name="frameName">Dotted frame name.</param>
    public string Classify(string frameName)
    {
        ArgumentNullException.ThrowIfNull(frameName);
        if (SpanAttributes.IsWait(frameName))
        {
            return Wait;
        }

        lock (gate)
        {
            // Walk from the whole name down to its first segment: the first hit is the longest prefix.
            var candidate = frameName;
            while (true)
            {
                if (groupOfPrefix.TryGetValue(candidate, out var group))
                {
                    return group;
                }

                var dot = candidate.LastIndexOf('.');
                if (dot <= 0)
                {
                    return Other;
                }

                candidate = candidate[..dot];
            }
        }
    }
}

using Dnet.Models;
using Dnet.Planner.Apis;
using Dnet.Planner.Model;
using Dnet.Planner.Topology;

namespace Dnet.Planner.Infrastructure;

/// <summary>Turns a plan request into a topology: resolve the model, profile the shards, measure links, solve, remember.</summary>
public sealed partial class TopologyPlanner(ShardDirectory directory, ShardFleet fleet, TopologySolver solver, TopologyStore store, TimeProvider clock, ILogger<TopologyPlanner> logger)
{
    private const int LinkProbeRepeats = 20;

    public async Task<DevicesDocument> DevicesAsync(string computeDtype, CancellationToken cancellationToken)
    {
        var (reached, unreachable) = await fleet.ProfilesAsync(await directory.EndpointsAsync(cancellationToken), computeDtype, cancellationToken);
        return new DevicesDocument([.. reached.Select(r => r.ToDocument())], unreachable);
    }

    public async Task<TopologyDocument> PlanAsync(PlanRequest request, CancellationToken cancellationToken)
    {
        string model = string.IsNullOrWhiteSpace(request.Model)
            ? throw new PlanRequestException("'model' is required: a generated model name, or a checkpoint folder name or path", "model")
            : request.Model;
        var manual = ManualAssignment(request.Manual);
        var excluded = request.ExcludeNodes?.ToHashSet(StringComparer.Ordinal) ?? [];
        var members = (await directory.EndpointsAsync(cancellationToken)).Where(m => !excluded.Contains(m.Node)).ToList();
        if (members.Count == 0)
        {
            throw new NoShardsException(excluded.Count == 0
                ? "no shard is a member of the cluster (none registered in Redis)"
                : $"no member shard is left to plan over once {string.Join(", ", excluded)} are excluded");
        }

        // What each shard's copy is, all at once: it finds dead or frozen members within seconds, before profiling.
        var (copies, unreachable) = await fleet.DescribeAsync(members, model, cancellationToken);
        var (withModel, withoutModel) = request.Config is null ? ModelCopyCheck.Check(model, copies) : (copies, []);
        var shape = ModelCatalog.Resolve(model, request.Config, withModel);
        var dtype = ComputeDtypeOf(request, shape);
        int context = request.ContextLength ?? shape.MaxPositionEmbeddings;
        if (context <= 0 || context > shape.MaxPositionEmbeddings)
        {
            throw new PlanRequestException($"context_length must be within [1, {shape.MaxPositionEmbeddings}] (max_position_embeddings), got {context}", "context_length");
        }
        var profile = LlamaCostModel.Profile(shape, dtype, context);

        var (reached, unprofiled) = await fleet.ProfilesAsync([.. withModel.Select(c => c.Endpoint)], dtype.Name(), cancellationToken);
        unreachable = [.. unreachable, .. unprofiled];
        if (reached.Count == 0)
        {
            throw new NoShardsException($"no member shard can hold {model}: " + string.Join("; ",
                unreachable.Select(u => $"{u.Node} ({u.Address}) did not answer: {u.Error}")
                    .Concat(withoutModel.Select(w => $"{w.Node} has no copy: {w.Error}"))));
        }
        if (manual?.Keys.FirstOrDefault(node => !reached.Any(r => r.Endpoint.Node == node)) is { } missing)
        {
            throw new ShardCallException(excluded.Contains(missing)
                ? $"{missing} is in the manual assignment but excluded from planning"
                : unreachable.FirstOrDefault(u => u.Node == missing) is { } down
                    ? $"{missing} is in the manual assignment but did not answer at {down.Address}: {down.Error}"
                    : withoutModel.FirstOrDefault(w => w.Node == missing) is { } lacking
                        ? $"{missing} is in the manual assignment but has no copy of {model}: {lacking.Error}"
                        : $"{missing} is in the manual assignment but is not a member of the cluster");
        }

        var links = new LinkTable();
        var linkDocuments = new List<LinkDocument>();
        if (request.MeasureLinks && reached.Count > 1)
        {
            var measured = await fleet.MeasureLinksAsync([.. reached.Select(r => r.Endpoint)], (int)profile.ActivationBytesPerToken, LinkProbeRepeats, cancellationToken);
            foreach (var (from, to, m) in measured)
            {
                double? bandwidth = m.BandwidthMbps > 0 ? m.BandwidthMbps : null;
                links.Set(from.Node, to.Node, new LinkCost(m.LatencyMs, bandwidth));
                linkDocuments.Add(new LinkDocument(from.Node, to.Node, m.LatencyMs, bandwidth, m.P50RoundTripMs, m.P99RoundTripMs, m.PayloadBytes));
            }
        }

        var problem = new PlanningProblem(profile, [.. reached.Select(r => r.ToCapacity())], links, context, request.UseAllShards);
        var plan = manual is null ? solver.Solve(problem) : solver.Evaluate(problem, manual);
        var addresses = reached.ToDictionary(r => r.Endpoint.Node, r => r.Endpoint.Address);
        var ring = plan.Shards
            .Select((s, i) => new RingShard(s.Node, addresses[s.Node], s.Start, s.End, i + 1 < plan.Shards.Count ? addresses[plan.Shards[i + 1].Node] : ""))
            .ToList();

        var topology = new TopologyDocument(
            model,
            dtype.Name(),
            context,
            shape.NumHiddenLayers,
            manual is null ? "solved" : "manual",
            ring,
            plan.Excluded,
            plan.Prediction,
            new PlanInputs(
                new ModelInputs(model, shape, LlamaCostModel.TotalParameters(shape), profile),
                [.. reached.Select(r => r.ToDocument())],
                linkDocuments,
                request.MeasureLinks && reached.Count > 1,
                unreachable,
                withoutModel,
                request.UseAllShards,
                plan.OrdersSearched),
            clock.GetUtcNow());
        store.Remember(topology);
        LogPlanned(model, string.Join(" -> ", plan.Shards), plan.Prediction.TotalMs);
        return topology;
    }

    private static ComputeDtype ComputeDtypeOf(PlanRequest request, ModelConfig shape)
    {
        if (request.ComputeDtype is not null)
        {
            return ComputeDtypes.FromName(request.ComputeDtype)
                ?? throw new PlanRequestException($"compute_dtype must be bf16 or f32, got '{request.ComputeDtype}'", "compute_dtype");
        }
        return ComputeDtypes.FromName(shape.TorchDtype) ?? ComputeDtype.BFloat16;
    }

    private static Dictionary<string, (int Start, int End)>? ManualAssignment(Dictionary<string, int[]>? manual)
    {
        if (manual is null)
        {
            return null;
        }
        if (manual.FirstOrDefault(m => m.Value is not { Length: 2 }) is { Key: { } node })
        {
            throw new PlanRequestException($"manual['{node}'] must be [start, end) as a two-element array", "manual");
        }
        return manual.ToDictionary(m => m.Key, m => (m.Value[0], m.Value[1]));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Planned {Model}: {Ring}, predicted {TotalMs:F3} ms per token")]
    private partial void LogPlanned(string model, string ring, double totalMs);
}

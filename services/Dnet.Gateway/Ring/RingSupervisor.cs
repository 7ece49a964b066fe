using System.Collections.Concurrent;
using System.Diagnostics;
using Dnet.ServiceDefaults.Cluster.Membership;
using StackExchange.Redis;

namespace Dnet.Gateway.Ring;

/// <summary>
/// Keeps the wanted model served by a ring of healthy members, without a restart. Every second (and at once when a
/// shard reports an error or a member joins or leaves) it reads membership and probes the ring's shards; it re-plans
/// <list type="bullet">
/// <item>at once when a ring shard left membership, restarted, stopped answering two probes in a row, or no longer
/// holds its slice (leaving that shard out of the plan);</item>
/// <item>when members joined that the current plan never considered (after they stop arriving for a moment, and after
/// the requests in flight finished, up to <c>Dnet:Gateway:JoinDrainTimeout</c>); a manual assignment is kept;</item>
/// <item>after a failed plan, with a growing pause, or as soon as membership changes.</item>
/// </list>
/// Each change is logged and kept in <see cref="RingHistory"/> with its reason. Loads and unloads through the API go
/// through here too, so the wanted state is one.
/// </summary>
internal sealed partial class RingSupervisor(
    ModelDeployment deployment,
    RingStatus status,
    RingProbe probe,
    RingHistory history,
    RingAlarm alarm,
    ClusterView view,
    RequestRouter router,
    IServiceProvider services,
    IConfiguration configuration,
    ILogger<RingSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan JoinSettle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxRetryPause = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim turn = new(1, 1);
    private readonly TimeSpan drainLimit = configuration.GetValue("Dnet:Gateway:JoinDrainTimeout", TimeSpan.FromSeconds(30));
    private (string Model, IReadOnlyDictionary<string, int[]>? Manual, string? ServedName)? wanted = (DefaultModelStartup.ConfiguredModel(configuration), null, null);

    // Members (node -> instance) the current plan was made with, and members left out of it with why.
    private Dictionary<string, string> considered = [];
    private readonly Dictionary<string, (string Instance, string Reason)> excluded = [];
    private string memberSet = "";
    private DateTime retryAt = DateTime.MinValue;
    private int failedPlans;
    private DateTime? joinSeenAt;

    // Members that announced a clean leave (node -> instance): gone at once, even while their process still answers.
    private readonly ConcurrentDictionary<string, string> leftCleanly = new(StringComparer.Ordinal);

    /// <summary>
    /// Plans and loads <paramref name="model"/> (optionally by hand, optionally under <paramref name="servedName"/>) on
    /// request, and keeps it served from now on.
    /// </summary>
    public async Task<DeployedModel> LoadAsync(
        string model, IReadOnlyDictionary<string, int[]>? manual, CancellationToken cancellationToken, string? servedName = null)
    {
        await turn.WaitAsync(cancellationToken);
        var previous = wanted;
        try
        {
            wanted = (model, manual, servedName);
            var members = await ReadMembersAsync(cancellationToken);
            return (await DeployAsync(members, manual is null ? "load requested" : "manual assignment requested", ExcludedNodes(members), cancellationToken, rethrow: true))!;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A refused load leaves the wanted model as it was; if the old ring is gone, the next tick restores it.
            wanted = previous;
            throw;
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>Unloads the model and serves nothing until the next load.</summary>
    public async Task UnloadAsync(CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken);
        try
        {
            wanted = null;
            await deployment.UnloadAsync(cancellationToken);
            status.Set(RingState.Unloaded, "the model was unloaded on request; POST /v1/cluster/load to serve again");
            history.Add(new RingChange(DateTimeOffset.UtcNow, "unload requested", true, null, null, 0));
        }
        finally
        {
            turn.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watching = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            watching = watching || await WatchAsync(stoppingToken);
            var woken = await alarm.WaitAsync(Tick, stoppingToken);
            await turn.WaitAsync(stoppingToken);
            try
            {
                await SuperviseAsync(woken, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSuperviseFailed(exception);
            }
            finally
            {
                turn.Release();
            }
        }
    }

    private async Task SuperviseAsync(string? woken, CancellationToken cancellationToken)
    {
        var members = await ReadMembersAsync(cancellationToken);
        if (wanted is not { } model || deployment.Busy)
        {
            return;
        }

        var set = string.Join(",", members.Select(m => $"{m.Node}:{m.Instance}"));
        if (set != memberSet)
        {
            // Someone joined or left: a plan that failed may work now.
            (memberSet, retryAt) = (set, DateTime.MinValue);
        }

        if (deployment.Current is not { } current)
        {
            if (DateTime.UtcNow < retryAt)
            {
                return;
            }

            if (members.Count == 0)
            {
                status.Set(failedPlans == 0 && history.Newest().Count == 0 ? RingState.Starting : RingState.Down,
                    view.Error is { } error ? $"cannot read the cluster's members: {error}" : "no shard is a member of the cluster yet");
                return;
            }

            var reason = history.Newest().Count == 0 ? "start" : $"retry after: {deployment.LastError ?? "no ring"}";
            await DeployAsync(members, reason, ExcludedNodes(members), cancellationToken);
            return;
        }

        var dead = await FindDeadAsync(current, members, woken, cancellationToken);
        if (dead.Count > 0)
        {
            var reason = string.Join("; ", dead.Values);
            foreach (var (node, why) in dead)
            {
                excluded[node] = (members.FirstOrDefault(m => m.Node == node)?.Instance ?? "", why);
            }

            if (current.Manual)
            {
                // A hand-made assignment cannot hold without its shard: the planner solves a new one.
                wanted = (model.Model, null, model.ServedName);
                reason += " (the manual assignment is replaced by a planned one)";
            }

            await DeployAsync(members, reason, ExcludedNodes(members), cancellationToken);
            return;
        }

        status.Set(RingState.Serving, $"serving {current.Id} over {current.Ring}");
        await RecheckExcludedAsync(members, cancellationToken);
        var joined = members.Where(m => considered.GetValueOrDefault(m.Node) != m.Instance && !IsExcluded(m)).ToList();
        if (joined.Count == 0 || current.Manual)
        {
            joinSeenAt = null;
            return;
        }

        // Members often arrive together: one plan for all of them.
        joinSeenAt ??= DateTime.UtcNow;
        if (DateTime.UtcNow - joinSeenAt < JoinSettle)
        {
            return;
        }

        joinSeenAt = null;
        var joinReason = $"{string.Join(", ", joined.Select(m => m.Node))} joined";
        status.Set(RingState.Replanning, $"{joinReason}: finishing the requests in flight before re-planning");
        await DrainAsync(cancellationToken);
        await DeployAsync(members, joinReason, ExcludedNodes(members), cancellationToken);
    }

    /// <summary>Ring shards that cannot serve, with why; a shard that missed one probe is asked once more at once.</summary>
    private async Task<Dictionary<string, string>> FindDeadAsync(
        DeployedModel current, IReadOnlyList<ClusterMember> members, string? woken, CancellationToken cancellationToken)
    {
        var dead = new Dictionary<string, string>();
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in current.Shards)
        {
            var member = members.FirstOrDefault(m => m.Node == shard.Node);
            if (member is null && view.Error is null)
            {
                missing.Add(shard.Node);
            }
            else if (member is not null && considered.TryGetValue(shard.Node, out var instance) && instance != member.Instance)
            {
                dead[shard.Node] = $"{shard.Node} restarted (a new instance joined under its name)";
            }
        }

        var probes = await probe.ProbeAsync(current, cancellationToken);
        if (probes.Any(p => p.Failures == 1))
        {
            status.Set(RingState.Replanning, $"checking {string.Join(", ", probes.Where(p => p.Failures == 1).Select(p => p.Error))}");
            probes = await probe.ProbeAsync(current, cancellationToken);
        }

        foreach (var health in probes.Where(p => !p.HoldsSlice || p.Failures >= 2))
        {
            dead.TryAdd(health.Node, health.Error ?? $"{health.Node} cannot serve");
        }

        // A record can vanish while its shard serves on: Redis restarted and its heartbeat TTL ran out meanwhile. Such a
        // shard registers again at its next heartbeat; only one that said it leaves, or stopped serving, has left.
        foreach (var node in missing)
        {
            var saidItLeaves = considered.TryGetValue(node, out var instance) && leftCleanly.TryGetValue(node, out var leaving) && leaving == instance;
            if (!saidItLeaves && probes.FirstOrDefault(p => p.Node == node) is { Answering: true, HoldsSlice: true })
            {
                LogMembershipLapsed(node);
                continue;
            }

            dead.TryAdd(node, $"{node} left the cluster (it shut down or its membership expired)");
        }

        if (dead.Count == 0 && woken is not null && probes.All(p => p.Answering))
        {
            LogAlarmWithoutFault(woken);
        }

        return dead;
    }

    private async Task<DeployedModel?> DeployAsync(
        IReadOnlyList<ClusterMember> members, string reason, IReadOnlyCollection<string> exclude, CancellationToken cancellationToken, bool rethrow = false)
    {
        if (wanted is not { } model)
        {
            return null;
        }

        status.Set(deployment.Current is null && history.Newest().Count == 0 ? RingState.Starting : RingState.Replanning, reason);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var deployed = await deployment.DeployAsync(model.Model, model.Manual, cancellationToken, exclude, reason, model.ServedName);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Remember(members, exclude, deployed.Plan);
            probe.Forget();
            (failedPlans, retryAt) = (0, DateTime.MinValue);
            history.Add(new RingChange(DateTimeOffset.UtcNow, reason, true, deployed.Ring, null, elapsed));
            status.Set(RingState.Serving, $"serving {deployed.Id} over {deployed.Ring}");
            LogRingChanged(reason, deployed.Ring, elapsed);
            return deployed;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            failedPlans++;
            var pause = TimeSpan.FromSeconds(Math.Min(MaxRetryPause.TotalSeconds, Math.Pow(2, failedPlans)));
            retryAt = DateTime.UtcNow + pause;
            history.Add(new RingChange(DateTimeOffset.UtcNow, reason, false, null, exception.Message, elapsed));
            status.Set(deployment.Current is null ? RingState.Down : RingState.Serving, deployment.Current is null
                ? $"{reason}; planning failed: {exception.Message}"
                : $"serving {deployment.Current.Id} over {deployment.Current.Ring}; re-planning failed: {exception.Message}");
            LogRingChangeFailed(reason, exception.Message, pause.TotalSeconds);
            if (rethrow)
            {
                throw;
            }

            return null;
        }
    }

    /// <summary>What the new plan was made from: considered members, and members the planner could not use.</summary>
    private void Remember(IReadOnlyList<ClusterMember> members, IReadOnlyCollection<string> exclude, PlannedTopology plan)
    {
        var skipped = (plan.Inputs?.Unreachable ?? []).Concat(plan.Inputs?.WithoutModel ?? []).ToList();
        foreach (var member in skipped.Select(s => (Skipped: s, Member: members.FirstOrDefault(m => m.Node == s.Node))).Where(p => p.Member is not null))
        {
            excluded[member.Skipped.Node] = (member.Member!.Instance, member.Skipped.Error);
        }

        considered = members
            .Where(m => !exclude.Contains(m.Node) && !skipped.Any(s => s.Node == m.Node))
            .ToDictionary(m => m.Node, m => m.Instance);
        foreach (var node in considered.Keys)
        {
            excluded.Remove(node);
        }
    }

    /// <summary>Left-out members that answer again (a frozen shard was continued) may be planned with again.</summary>
    private async Task RecheckExcludedAsync(IReadOnlyList<ClusterMember> members, CancellationToken cancellationToken)
    {
        var candidates = members.Where(IsExcluded).ToList();
        var answers = await Task.WhenAll(candidates.Select(m => probe.AnswersAsync(m.Address, cancellationToken)));
        foreach (var (member, answers1) in candidates.Zip(answers))
        {
            if (answers1 && !excluded[member.Node].Reason.Contains("no copy", StringComparison.Ordinal))
            {
                excluded.Remove(member.Node);
            }
        }
    }

    private bool IsExcluded(ClusterMember member) =>
        excluded.TryGetValue(member.Node, out var entry) && entry.Instance == member.Instance;

    private List<string> ExcludedNodes(IReadOnlyList<ClusterMember> members) =>
        [.. members.Where(IsExcluded).Select(m => m.Node)];

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + drainLimit;
        while (router.InFlight > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private async Task<IReadOnlyList<ClusterMember>> ReadMembersAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ClusterMembers>() is not { } members)
        {
            view.Unreadable("the gateway has no cluster Redis (ConnectionStrings:redis)");
            return view.Members;
        }

        try
        {
            view.Update(await members.ListAsync(cancellationToken));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Keep the last known members: a Redis outage is not a reason to tear the ring down.
            view.Unreadable(exception.Message);
        }

        return view.Members;
    }

    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ClusterMembers>() is not { } members)
        {
            return false;
        }

        try
        {
            await members.WatchAsync(change =>
            {
                if (change.Kind == MembershipEvent.Left)
                {
                    leftCleanly[change.Node] = change.Instance;
                }

                alarm.Raise($"{change.Node} {change.Kind}");
            }, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Polling still sees every change; the subscription is retried on the next tick.
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ring changed ({Reason}): {Ring} in {ElapsedMs:F0} ms")]
    private partial void LogRingChanged(string reason, string ring, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ring change failed ({Reason}): {Error}; next attempt in {PauseSeconds:F0} s or when membership changes")]
    private partial void LogRingChangeFailed(string reason, string error, double pauseSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Node} is missing from membership but still serves its slice (Redis restarted?); it stays in the ring")]
    private partial void LogMembershipLapsed(string node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Woken by {Alarm}, but every ring shard answers")]
    private partial void LogAlarmWithoutFault(string alarm);

    [LoggerMessage(Level = LogLevel.Error, Message = "Supervising the ring failed")]
    private partial void LogSuperviseFailed(Exception exception);
}

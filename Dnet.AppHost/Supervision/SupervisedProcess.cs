namespace Dnet.AppHost.Supervision;

/// <summary>
/// What the supervisor knows of one resource's process: the states it went through, whether someone asked it to stop,
/// and how many times in a row it crashed soon after starting. A crash is a process that reached a terminal state
/// from Starting or Running without passing through Stopping (a dashboard Stop, a stop command or the AppHost's
/// shutdown all pass through Stopping first).
/// </summary>
internal sealed class SupervisedProcess
{
    /// <summary>A process that ran this long before it crashed starts its back-off over.</summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private string? state;
    private bool stopRequested;
    private DateTimeOffset? runningSince;
    private int crashes;

    /// <summary>
    /// Takes the next snapshot of the resource; returns the crash when this snapshot is one, with how long to wait before
    /// restarting (1 s, doubling per crash in a row up to 30 s).
    /// </summary>
    public Crash? Observe(string? next, int? exitCode, DateTimeOffset now)
    {
        var previous = state;
        state = next;
        if (next == previous)
        {
            return null;
        }

        if (next == KnownResourceStates.Stopping)
        {
            stopRequested = true;
            return null;
        }

        if (next == KnownResourceStates.Starting || next == KnownResourceStates.Running)
        {
            stopRequested = false;
            if (next == KnownResourceStates.Running)
            {
                runningSince ??= now;
            }

            return null;
        }

        if (!IsTerminal(next))
        {
            return null;
        }

        var ranFor = runningSince is { } since ? now - since : TimeSpan.Zero;
        runningSince = null;
        if (stopRequested || (previous != KnownResourceStates.Running && previous != KnownResourceStates.Starting))
        {
            return null;
        }

        crashes = ranFor >= StableAfter ? 1 : crashes + 1;
        var delay = TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks << Math.Min(crashes - 1, 10), MaxDelay.Ticks));
        return new Crash(exitCode, crashes, delay);
    }

    /// <summary>Whether <paramref name="state"/> is a process that has ended (FailedToStart is not: starting again would fail again).</summary>
    public static bool IsTerminal(string? state) => state == KnownResourceStates.Finished || state == KnownResourceStates.Exited;

    /// <summary>Whether the resource was asked to stop since it crashed (then it must stay stopped).</summary>
    public bool StopRequested => stopRequested;
}

/// <summary>A process that ended without being asked to.</summary>
/// <param name="ExitCode">Its exit code, when known (137 = SIGKILL).</param>
/// <param name="InARow">Crashes in a row without a minute of running in between.</param>
/// <param name="RestartAfter">How long to wait before starting it again.</param>
internal sealed record Crash(int? ExitCode, int InARow, TimeSpan RestartAfter);

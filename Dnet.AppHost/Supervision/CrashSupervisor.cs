using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dnet.AppHost.Supervision;

/// <summary>
/// Restarts resources marked <see cref="RestartOnCrashAnnotation"/> whose process dies without being asked to. Aspire
/// 13.6 restarts nothing by itself, and the proxy in front of a dead project keeps accepting connections it never
/// answers; started again through the same command the dashboard's Start button runs, the process gets its old
/// arguments and ports back (the redis-server its data directory) and the proxy hands it the connections that waited.
/// Each crash is logged in the AppHost's log and in the resource's own console log in the dashboard.
/// </summary>
internal sealed partial class CrashSupervisor(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<CrashSupervisor> logger) : BackgroundService
{
    private readonly Dictionary<string, SupervisedProcess> processes = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!update.Resource.HasAnnotationOfType<RestartOnCrashAnnotation>())
                {
                    continue;
                }

                if (!processes.TryGetValue(update.ResourceId, out var process))
                {
                    process = processes[update.ResourceId] = new SupervisedProcess();
                }

                var crash = process.Observe(update.Snapshot.State?.Text, update.Snapshot.ExitCode, clock.GetUtcNow());
                if (crash is not null && !lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    _ = RestartAsync(update.Resource.Name, update.ResourceId, process, crash, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
    }

    private async Task RestartAsync(string name, string resourceId, SupervisedProcess process, Crash crash, CancellationToken stoppingToken)
    {
        var resourceLog = resourceLogs.GetLogger(resourceId);
        LogCrashed(logger, name, crash.ExitCode, crash.InARow, crash.RestartAfter.TotalSeconds);
        LogCrashed(resourceLog, name, crash.ExitCode, crash.InARow, crash.RestartAfter.TotalSeconds);
        try
        {
            await Task.Delay(crash.RestartAfter, clock, stoppingToken);
            var state = notifications.TryGetCurrentState(resourceId, out var current) ? current?.Snapshot.State?.Text : null;
            if (lifetime.ApplicationStopping.IsCancellationRequested || process.StopRequested
                || !SupervisedProcess.IsTerminal(state))
            {
                // Shutting down, stopped on purpose meanwhile, or already started by someone else.
                return;
            }

            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken);
            if (!result.Success)
            {
                LogRestartFailed(logger, name, result.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping.
        }
        catch (Exception exception)
        {
            // A failed restart must not take the supervisor down with it; the dashboard shows the resource as stopped.
            LogRestartFailed(logger, name, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} exited unexpectedly (exit code {ExitCode}, crash {InARow} in a row); restarting it in {DelaySeconds} s")]
    private static partial void LogCrashed(ILogger logger, string resource, int? exitCode, int inARow, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restarting {Resource} failed: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string resource, string? reason);
}

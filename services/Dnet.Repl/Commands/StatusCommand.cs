using Dnet.Repl.Clients;
using Spectre.Console;

namespace Dnet.Repl.Commands;

/// <summary><c>status</c>: each service's own health report, read now (the system Dnet re-imagines always said "Running").</summary>
internal static class StatusCommand
{
    public static ReplCommand Command { get; } = new("status", "status", "Health of the gateway and analytics as they report it now.", RunAsync);

    private static async Task RunAsync(ReplContext context, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("Service", "URL", "Status", "Not healthy");
        foreach (var service in new ServiceClient[] { context.Gateway, context.Analytics })
        {
            table.AddRow(await RowAsync(service, cancellationToken));
        }

        context.Console.Write(table);
    }

    private static async Task<string[]> RowAsync(ServiceClient service, CancellationToken cancellationToken)
    {
        try
        {
            var health = await service.HealthAsync(cancellationToken);
            var status = health.Text("status") ?? "?";
            var problems = health?["checks"]?.AsObject()
                .Where(check => check.Value.Text("status") is not "Healthy")
                .Select(check => $"{check.Key}: {check.Value.Text("status")} {check.Value.Text("description")}".Trim()) ?? [];
            var color = status == "Healthy" ? "green" : status == "Degraded" ? "yellow" : "red";
            return [service.Service, ShardTables.Cell(service.BaseAddress.ToString()), $"[{color}]{ShardTables.Cell(status)}[/]", ShardTables.Cell(string.Join("; ", problems))];
        }
        catch (ServiceCallException exception)
        {
            return [service.Service, ShardTables.Cell(service.BaseAddress.ToString()), "[red]unreachable[/]", ShardTables.Cell(exception.Reason)];
        }
    }
}

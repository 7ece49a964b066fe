using System.CommandLine;
using Dnet.Repl;
using Dnet.Repl.Chat;

var gateway = new Option<string?>("--gateway") { Description = $"Gateway URL (default: Aspire's services__gateway__http__0, else {ReplOptions.DefaultGateway})" };
var analytics = new Option<string?>("--analytics") { Description = $"Analytics URL (default: services__analytics__http__0, else {ReplOptions.DefaultAnalytics})" };
var maxTokens = new Option<int?>("--max-tokens") { Description = "Upper bound on tokens per chat answer (default: the gateway's)" };
var apiKey = new Option<string?>("--api-key") { Description = $"The cluster's API key (default: ${ReplOptions.ApiKeyVariable}; none when the cluster has no key)" };
var root = new RootCommand("dnet: an interactive shell for a Dnet cluster") { gateway, analytics, maxTokens, apiKey };
root.SetAction(async (parsed, cancellationToken) =>
{
    var options = new ReplOptions(
        ReplOptions.Resolve(parsed.GetValue(gateway), "gateway", ReplOptions.DefaultGateway),
        ReplOptions.Resolve(parsed.GetValue(analytics), "analytics", ReplOptions.DefaultAnalytics),
        new ChatSettings(parsed.GetValue(maxTokens), null),
        ReplOptions.ResolveApiKey(parsed.GetValue(apiKey)));
    var session = Console.IsInputRedirected
        ? ReplSessionFactory.ForScript(options, Console.In, Console.Out)
        : ReplSessionFactory.ForTerminal(options);

    // Ctrl+C stops what is running (an answer, a load) and keeps the REPL; with nothing running it ends the process.
    Console.CancelKeyPress += (_, press) => press.Cancel = session.Context.Cancellation.CancelCurrent();
    await session.RunAsync(cancellationToken);
    return 0;
});

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

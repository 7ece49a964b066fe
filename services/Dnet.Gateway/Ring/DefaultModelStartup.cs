namespace Dnet.Gateway.Ring;

/// <summary>
/// Plans and loads the configured model (<c>Dnet:Model</c>, default the generated <c>dnet-tiny</c>) when the gateway
/// starts, retrying while the planner or shards come up, so a chat request works as soon as the gateway is healthy.
/// </summary>
internal sealed class DefaultModelStartup(ModelDeployment deployment, IConfiguration configuration, ILogger<DefaultModelStartup> logger)
    : BackgroundService
{
    public const string DefaultModel = "dnet-tiny";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var model = configuration["Dnet:Model"] is { Length: > 0 } configured ? configured : DefaultModel;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await deployment.DeployAsync(model, manual: null, stoppingToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
                logger.LogWarning("Deploying {Model} failed (attempt {Attempt}): {Error}; retrying in {Delay}", model, attempt, exception.Message, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }
}

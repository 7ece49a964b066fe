namespace Dnet.Gateway.Ring;

/// <summary>
/// How the gateway asks for a model to be loaded: <c>Dnet:ComputeDtype</c> (bf16 default, f32) and <c>Dnet:MaxContext</c>
/// (KV cache tokens per request; unset: the model's own context length. KV memory is reserved lazily, so a long
/// context costs only what requests actually use). <c>Dnet:UseAllShards</c> (default true) asks the planner to give every
/// shard at least one layer: on one machine a single process is often predicted fastest, but a cluster started with N
/// shards is meant to run on N shards; set it to false to let the planner leave slow shards out.
/// </summary>
internal sealed record ModelLoadSettings(string ComputeDtype, int? MaxContext, bool UseAllShards)
{
    public static ModelLoadSettings From(IConfiguration configuration) => new(
        configuration["Dnet:ComputeDtype"] ?? "bf16",
        configuration.GetValue<int?>("Dnet:MaxContext"),
        configuration.GetValue("Dnet:UseAllShards", true));
}

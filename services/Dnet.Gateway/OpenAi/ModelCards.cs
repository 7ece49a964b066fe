namespace Dnet.Gateway.OpenAi;

internal sealed record ModelList(IReadOnlyList<ModelCard> Data)
{
    public string Object => "list";
}

/// <summary>A served model; <c>max_model_len</c> is the context length, as vLLM reports it.</summary>
internal sealed record ModelCard(string Id, long Created, string OwnedBy, int MaxModelLen)
{
    public string Object => "model";
}

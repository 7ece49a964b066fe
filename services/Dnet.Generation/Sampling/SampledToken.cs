namespace Dnet.Generation.Sampling;

/// <summary>A token and its log probability.</summary>
public readonly record struct TokenLogprob(int Id, float Logprob);

/// <summary>
/// The sampled token. Logprob and TopLogprobs are of the distribution after penalties at temperature 1 (before
/// temperature, top-k, top-p and min-p), so they describe the model, not the sampling settings; Logprob is NaN and
/// TopLogprobs empty unless logprobs were requested.
/// </summary>
public readonly record struct SampledToken(int Id, float Logprob, IReadOnlyList<TokenLogprob> TopLogprobs);

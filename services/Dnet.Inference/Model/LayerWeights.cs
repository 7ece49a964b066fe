using static TorchSharp.torch;

namespace Dnet.Inference.Model;

/// <summary>One decoder layer's tensors, named as in the checkpoint (<c>model.layers.N.*</c>).</summary>
sealed record LayerWeights(
    Tensor InputLayernorm,
    Tensor QProj,
    Tensor? QBias,
    Tensor KProj,
    Tensor? KBias,
    Tensor VProj,
    Tensor? VBias,
    Tensor? QNorm,
    Tensor? KNorm,
    Tensor OProj,
    Tensor PostAttentionLayernorm,
    Tensor GateProj,
    Tensor UpProj,
    Tensor DownProj)
{
    public IEnumerable<Tensor> All() =>
        new[] { InputLayernorm, QProj, QBias, KProj, KBias, VProj, VBias, QNorm, KNorm, OProj, PostAttentionLayernorm, GateProj, UpProj, DownProj }
            .OfType<Tensor>();
}

using Dnet.Inference.Kernels;

namespace Dnet.Inference.Model;

/// <summary>
/// One decoder layer's tensors, named as in the checkpoint (<c>model.layers.N.*</c>). q|k|v and gate|up are fused
/// views over the checkpoint's own matrices (no copy); biases and norms are single-row weights.
/// </summary>
sealed record LayerWeights(
    Weight InputLayernorm,
    FusedWeight QkvProj,
    Weight? QkvBias,
    Weight? QNorm,
    Weight? KNorm,
    FusedWeight OProj,
    Weight PostAttentionLayernorm,
    FusedWeight GateUpProj,
    FusedWeight DownProj);

using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>The planner's cost profile applied to a slice of layers.</summary>
public static class SliceProfile
{
    /// <summary>Weight bytes read per decoded token by a slice of <paramref name="range"/> (lm_head included on the last slice).</summary>
    public static long WeightBytesPerToken(this ModelProfile profile, LayerRange range) =>
        range.Count * profile.BytesPerLayer + (range.End == profile.Layers ? profile.HeadBytes : 0);
}

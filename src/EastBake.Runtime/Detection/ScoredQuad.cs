namespace EastBake.Runtime.Detection;

/// <summary>A quad with a score: a decoded candidate, or a polygon during and after NMS.</summary>
public readonly record struct ScoredQuad(Quad Quad, float Score);

/// <summary>A detected text region: quad in original-image pixels, clockwise from top-left, and its score.</summary>
public readonly record struct TextBox(Quad Quad, float Score);

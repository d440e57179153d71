namespace EastBake.Runtime.Detection;

/// <summary>A 2-D point in pixels (double precision).</summary>
public readonly record struct PointD(double X, double Y)
{
    public static PointD operator -(PointD a, PointD b) => new(a.X - b.X, a.Y - b.Y);
    public static PointD operator +(PointD a, PointD b) => new(a.X + b.X, a.Y + b.Y);
    public static PointD operator *(PointD a, double s) => new(a.X * s, a.Y * s);

    /// <summary>z of the 2-D cross product a × b.</summary>
    public static double Cross(PointD a, PointD b) => a.X * b.Y - a.Y * b.X;

    public override string ToString() => $"({X:0.###}, {Y:0.###})";
}

/// <summary>
/// A quadrilateral of four points in the order given (text boxes are clockwise from top-left
/// in image coordinates, y down). It may be non-convex or even self-intersecting when it comes
/// from hand-labelled ground truth; <see cref="QuadOverlap"/> handles those.
/// </summary>
public readonly record struct Quad(PointD P0, PointD P1, PointD P2, PointD P3)
{
    public Quad(double x0, double y0, double x1, double y1, double x2, double y2, double x3, double y3)
        : this(new PointD(x0, y0), new PointD(x1, y1), new PointD(x2, y2), new PointD(x3, y3)) { }

    /// <summary>From 8 values x0,y0,…,x3,y3.</summary>
    public static Quad FromCoords(ReadOnlySpan<double> c) => new(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);

    public PointD this[int i] => (i & 3) switch { 0 => P0, 1 => P1, 2 => P2, _ => P3 };

    /// <summary>Writes x0,y0,…,x3,y3.</summary>
    public void CopyTo(Span<double> c)
    {
        for (int i = 0; i < 4; i++) { c[2 * i] = this[i].X; c[2 * i + 1] = this[i].Y; }
    }

    public PointD[] ToArray() => [P0, P1, P2, P3];

    /// <summary>Signed shoelace area: positive when clockwise on screen (y down).</summary>
    public double SignedArea => Polygon.SignedArea([P0, P1, P2, P3]);

    /// <summary>|shoelace| area, as the ICDAR script's polygon library reports a contour's area.</summary>
    public double Area => Math.Abs(SignedArea);

    public Quad Scale(double sx, double sy) =>
        new(P0.X * sx, P0.Y * sy, P1.X * sx, P1.Y * sy, P2.X * sx, P2.Y * sy, P3.X * sx, P3.Y * sy);

    public override string ToString() => $"[{P0} {P1} {P2} {P3}]";
}

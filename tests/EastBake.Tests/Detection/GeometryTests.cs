using EastBake.Runtime.Detection;

namespace EastBake.Tests.Detection;

public class GeometryTests
{
    [Fact]
    public void ShoelaceAreaAndOrientation()
    {
        var cw = new Quad(0, 0, 4, 0, 4, 3, 0, 3); // clockwise on screen (y down)
        Assert.Equal(12, cw.SignedArea);
        Assert.Equal(-12, new Quad(0, 0, 0, 3, 4, 3, 4, 0).SignedArea);
        Assert.Equal(12, cw.Area);
    }

    [Fact]
    public void ConvexIntersectionOfDiamondAndSquare()
    {
        var square = new Quad(0, 0, 2, 0, 2, 2, 0, 2);
        var diamond = new Quad(1, 0, 2, 1, 1, 2, 0, 1);
        Assert.Equal(2, Polygon.ConvexIntersectionArea(square.ToArray(), diamond.ToArray()), 12);
        Assert.Equal(0.5, Polygon.ConvexIoU(square.ToArray(), diamond.ToArray()), 12);
        // Opposite orientations give the same answer.
        var ccwDiamond = new Quad(1, 0, 0, 1, 1, 2, 2, 1);
        Assert.Equal(0.5, QuadOverlap.IoU(square, ccwDiamond), 12);
        // Disjoint and touching.
        Assert.Equal(0, QuadOverlap.IntersectionArea(square, new Quad(2, 0, 3, 0, 3, 1, 2, 1)), 12);
        Assert.Equal(0, QuadOverlap.IoU(square, new Quad(5, 5, 6, 5, 6, 6, 5, 6)));
    }

    [Fact]
    public void ConcaveQuadIntersection()
    {
        // Arrowhead (0,0),(4,0),(4,4),(2,1): reflex at (2,1), area 8 − 2 = 6.
        var arrow = new Quad(0, 0, 4, 0, 4, 4, 2, 1);
        Assert.Equal(6, arrow.Area);
        Assert.Equal(6, QuadOverlap.IntersectionArea(arrow, new Quad(0, 0, 4, 0, 4, 4, 0, 4)), 9);
        // Inside [0,2]²: triangle (0,0),(2,0),(2,2) = 2 minus the notch between y = x/2 and y = x = 1.
        Assert.Equal(1, QuadOverlap.IntersectionArea(arrow, new Quad(0, 0, 2, 0, 2, 2, 0, 2)), 9);
        // The notch itself is outside the quad.
        Assert.Equal(0, QuadOverlap.IntersectionArea(arrow, new Quad(1.4, 1.0, 1.6, 1.0, 1.6, 1.2, 1.4, 1.2)), 9);
    }

    [Fact]
    public void BowTieUsesEvenOddRegionButShoelaceArea()
    {
        // Edges (0,0)-(2,2) and (2,0)-(0,2) cross at (1,1): two triangles of area 1 each.
        var bowTie = new Quad(0, 0, 2, 2, 2, 0, 0, 2);
        Assert.Equal(0, bowTie.Area); // the signed lobes cancel, as the polygon library reports
        var square = new Quad(0, 0, 2, 0, 2, 2, 0, 2);
        Assert.Equal(2, QuadOverlap.IntersectionArea(bowTie, square), 12);
        Assert.Equal(2, QuadOverlap.IntersectionArea(square, bowTie), 12);
        Assert.Equal(1, QuadOverlap.IntersectionArea(bowTie, new Quad(1, 0, 2, 0, 2, 2, 1, 2)), 12);
    }
}

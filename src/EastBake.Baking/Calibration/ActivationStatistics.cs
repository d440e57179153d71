using System.Diagnostics;
using System.Globalization;
using EastBake.Baking.Pipeline;
using EastBake.Diagnostics;
using EastBake.Runtime.Detection;

namespace EastBake.Baking.Calibration;

/// <summary>Histograms of every calibrated tensor over the readable images of a set.</summary>
public sealed record CollectedStatistics(IReadOnlyList<string> Tensors, IReadOnlyList<ActivationHistogram> Histograms,
    int Images, int Skipped, TimeSpan Elapsed);

/// <summary>
/// The statistics pass: each image, in the set's order, goes through the runtime's
/// <see cref="Preprocessor"/> at the given size, then through the FP32 network (batch 1), and
/// every requested tensor's |x| joins its histogram. Unreadable images are warned about (EB3004)
/// and skipped; none readable is EB3002, fewer than <see cref="CalibrationImageSet.RecommendedMinimum"/>
/// is warning EB3003; a NaN or infinite activation is EB3022.
/// </summary>
public static class ActivationStatistics
{
    public static CollectedStatistics Collect(IActivationSource source, CalibrationImageSet images, Preprocessor preprocessor,
        int height, int width, IBakeLog log)
    {
        var clock = Stopwatch.StartNew();
        var tensors = source.Tensors;
        var histograms = tensors.Select(_ => new ActivationHistogram()).ToArray();
        var input = new float[height * width * 3];
        int used = 0, skipped = 0;
        var reportedTenth = 0;
        log.Progress("calibrate", 0);
        for (var i = 0; i < images.Count; i++)
        {
            var path = images.FullPath(i);
            try
            {
                using var image = ImageLoader.Load(path);
                preprocessor.Run(image, input);
            }
            catch (Exception e) when (e is EastBakeException or IOException or UnauthorizedAccessException)
            {
                var why = e is EastBakeException eb ? eb.Message : e.Message;
                log.Warning(ErrorCodes.ImageUnreadable, $"calibration image skipped: {why}", path);
                skipped++;
                continue;
            }
            string? bad = null;
            source.Run(input, height, width, (t, values) =>
            {
                if (!histograms[t].Add(values)) bad = tensors[t];
            });
            if (bad is not null)
                throw new EastBakeException(ErrorCodes.CalibrationNonFinite,
                    $"tensor '{bad}' holds NaN or infinite values on this calibration image; the FP32 network is not usable for calibration", path);
            used++;
            log.Progress("calibrate", (i + 1.0) / images.Count);
            var tenth = (int)((i + 1L) * 10 / images.Count);
            if (tenth > reportedTenth && i + 1 < images.Count)
            {
                log.Info(string.Create(CultureInfo.InvariantCulture,
                    $"  calibration: {i + 1}/{images.Count} images, {clock.Elapsed.TotalSeconds:F1} s"));
                reportedTenth = tenth;
            }
        }
        if (used == 0)
            throw new EastBakeException(ErrorCodes.CalibrationFolderEmpty,
                $"none of the {images.Count} calibration images could be read", images.Folder);
        if (used < CalibrationImageSet.RecommendedMinimum)
            log.Warning(ErrorCodes.CalibrationFewImages,
                $"only {used} calibration images were used; {CalibrationImageSet.RecommendedMinimum} or more representative images give stable INT8 ranges",
                images.Folder);
        return new CollectedStatistics(tensors, histograms, used, skipped, clock.Elapsed);
    }
}

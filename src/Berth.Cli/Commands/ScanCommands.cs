using System.CommandLine;
using System.Globalization;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth scan …</c>: vulnerability reports of images, named <c>REGISTRY/REPOSITORY[:TAG|@DIGEST]</c>.</summary>
public static class ScanCommands
{
    private static readonly string[] Severities = ["critical", "high", "medium", "low", "unknown"];

    public static Command Create() => new("scan", "Show and run vulnerability scans of images")
    {
        ShowCommand(),
        StartCommand(),
        SbomCommand(),
    };

    private static Argument<string> ImageArgument() => new("image")
    {
        Description = "REGISTRY/REPOSITORY[:TAG|@DIGEST] (the tag defaults to latest), e.g. shop-prod/api/web:1.4",
    };

    private static Command ShowCommand()
    {
        var image = ImageArgument();
        var severity = new Option<string?>("--severity") { Description = "Only findings at or above this severity" };
        severity.AcceptOnlyFromAmong(Severities);
        var fixable = new Option<bool>("--fixable") { Description = "Only findings with a fixed version" };
        var command = new Command("show", "Show the vulnerabilities found in an image (an index: per platform)") { image, severity, fixable };
        command.SetApiAction(async ctx =>
        {
            var (registry, repository, reference) = ParseImage(ctx.Get(image));
            var response = await ctx.Api.GetVulnerabilitiesAsync(registry, repository, reference, ctx.Get(severity), ctx.Get(fixable), ctx.CancellationToken);
            ctx.Output.Render(response, report =>
            {
                ctx.Output.Out.WriteLine($"{registry}/{repository}{(reference.Contains(':', StringComparison.Ordinal) ? "@" : ":")}{reference}  {report.Digest}");
                if (report.Platforms.Count == 0)
                {
                    Write(ctx.Output, report);
                    return;
                }

                ctx.Output.Out.WriteLine($"Index: {report.Platforms.Count} platform images, {Status(report)}");
                foreach (var platform in report.Platforms)
                {
                    ctx.Output.Out.WriteLine();
                    ctx.Output.Out.WriteLine($"== {platform.Platform ?? "unknown platform"}  {platform.Digest}");
                    Write(ctx.Output, platform);
                }
            });
        });
        return command;
    }

    private static Command StartCommand()
    {
        var image = ImageArgument();
        var wait = new Option<bool>("--wait") { Description = "Wait until the scan has finished, then show the report" };
        var command = new Command("start", "Scan an image now (again)") { image, wait };
        command.SetApiAction(async ctx =>
        {
            var (registry, repository, reference) = ParseImage(ctx.Get(image));
            var response = await ctx.Api.ScanAsync(registry, repository, reference, ctx.CancellationToken);
            if (ctx.Get(wait))
            {
                // A scan of a typical image takes seconds; poll gently until every platform has an outcome.
                while (response.Value.Status is "queued" or "running")
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), ctx.CancellationToken);
                    response = await ctx.Api.GetVulnerabilitiesAsync(registry, repository, reference, null, false, ctx.CancellationToken);
                }
            }

            ctx.Output.Render(response, report =>
            {
                ctx.Output.Out.WriteLine($"Scan of {registry}/{repository} {report.Digest}: {Status(report)}");
                if (report.Status is "done" or "failed" or "not_checked")
                {
                    ctx.Output.Out.WriteLine($"Run `berth scan show {ctx.Get(image)}` for the findings.");
                }
            });
            if (response.Value.Status == "failed")
            {
                throw new CliException($"the scan failed: {response.Value.Reason ?? string.Join("; ", response.Value.Platforms.Select(p => p.Reason).OfType<string>())}");
            }
        });
        return command;
    }

    private static Command SbomCommand()
    {
        var image = ImageArgument();
        var output = new Option<string?>("--output", "-o") { Description = "Write the SBOM to this file instead of standard output" };
        var command = new Command("sbom", "Print the package inventory of a scanned image as a CycloneDX 1.5 SBOM (JSON)") { image, output };
        command.SetApiAction(async ctx =>
        {
            var (registry, repository, reference) = ParseImage(ctx.Get(image));
            var sbom = await ctx.Api.GetSbomAsync(registry, repository, reference, ctx.CancellationToken);
            if (ctx.Get(output) is { } file)
            {
                await File.WriteAllTextAsync(file, sbom, ctx.CancellationToken);
                await ctx.Output.Error.WriteLineAsync($"Wrote the SBOM of {ctx.Get(image)} to {file}.");
            }
            else
            {
                await ctx.Output.Out.WriteLineAsync(sbom);
            }
        });
        return command;
    }

    private static void Write(Output output, VulnerabilityReportView report)
    {
        var fields = new List<(string, string)> { ("Status", Status(report)) };
        if (report.Os is { } os)
        {
            fields.Add(("OS", $"{os.Id} {os.VersionId}".Trim()));
        }

        if (report.PackageCount is { } packages)
        {
            fields.Add(("Packages", Format.Number(packages)));
        }

        // A scan without advisories has counts of zero that mean nothing: not shown.
        if (report.Summary is { } s && report.Status != "not_checked")
        {
            fields.Add(("Findings", $"{s.Critical} critical, {s.High} high, {s.Medium} medium, {s.Low} low, {s.Unknown} unknown"));
        }

        output.WriteFields([.. fields]);
        if (report.Findings.Count == 0)
        {
            if (report.Status == "done")
            {
                output.Out.WriteLine(report.Summary?.Total > 0 ? "No findings match the filter." : "No known vulnerabilities.");
            }

            return;
        }

        output.Out.WriteLine();
        var table = new TableWriter("SEVERITY", "CVSS>", "ADVISORY", "ALIASES", "PACKAGE", "INSTALLED", "FIXED IN");
        foreach (var f in report.Findings)
        {
            table.AddRow(f.Severity, f.CvssScore?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-", f.AdvisoryId,
                f.Aliases.Count == 0 ? "-" : string.Join(',', f.Aliases), f.Package, f.InstalledVersion, f.FixedVersion ?? "-");
        }

        output.WriteTable(table);
    }

    private static string Status(VulnerabilityReportView report) => report.Status switch
    {
        "done" => $"done {(report.FinishedAt is { } at ? Format.Date(at) : "")}".Trim()
            + (report.AdvisoryDatabaseVersion is { } v ? $" (advisory database version {v}{(report.Outdated ? ", outdated: a re-scan is queued" : "")})" : ""),
        "failed" => "failed: " + (report.Reason ?? "see the platforms below"),
        "not_scanned" => "not scanned (run `berth scan start`)",
        "not_checked" => "not checked — no advisory data (an administrator imports advisories with `berth vulndb import`; the image is then scanned again)",
        var other => other,
    };

    /// <summary>Splits <c>REGISTRY/REPOSITORY[:TAG|@DIGEST]</c>; a missing tag is <c>latest</c>, as docker does.</summary>
    internal static (string Registry, string Repository, string Reference) ParseImage(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == image.Length - 1)
        {
            throw new CliException($"'{image}' is not REGISTRY/REPOSITORY[:TAG|@DIGEST]");
        }

        var registry = image[..slash];
        var rest = image[(slash + 1)..];
        string repository, reference;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            (repository, reference) = (rest[..at], rest[(at + 1)..]);
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            (repository, reference) = colon > rest.LastIndexOf('/') && colon >= 0 ? (rest[..colon], rest[(colon + 1)..]) : (rest, "latest");
        }

        return repository.Length == 0 || reference.Length == 0
            ? throw new CliException($"'{image}' is not REGISTRY/REPOSITORY[:TAG|@DIGEST]")
            : (registry, repository, reference);
    }
}

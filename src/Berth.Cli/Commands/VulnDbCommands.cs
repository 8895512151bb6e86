using System.CommandLine;
using System.IO.Compression;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary><c>berth vulndb …</c>: the OSV advisory database the scanner matches images against (imported, so it works offline).</summary>
public static class VulnDbCommands
{
    public static Command Create() => new("vulndb", "Manage the vulnerability advisory database (OSV)")
    {
        ImportCommand(),
        StatusCommand(),
    };

    private static Command ImportCommand()
    {
        var paths = new Argument<string[]>("path")
        {
            Description = "OSV JSON files (one advisory or an array), directories of them, or zip archives (as osv.dev publishes per ecosystem)",
            Arity = ArgumentArity.OneOrMore,
        };
        var source = new Option<string?>("--source") { Description = "Source name recorded with the advisories (default: the file or directory name)" };
        var command = new Command("import", "Import OSV advisories; run again with newer files to update") { paths, source };
        command.SetApiAction(async ctx =>
        {
            foreach (var path in ctx.Get(paths))
            {
                var name = ctx.Get(source) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
                var response = await ImportAsync(ctx, path, name);
                ctx.Output.Render(response, result =>
                {
                    ctx.Output.Out.WriteLine(
                        $"Imported {result.Source}: {result.Added} added, {result.Updated} updated, {result.Unchanged} unchanged, {result.Rejected} rejected; " +
                        $"database version {result.DatabaseVersion}, {result.RescansQueued} image scans queued again.");
                    foreach (var error in result.Errors)
                    {
                        ctx.Output.Error.WriteLine($"  rejected {error.Location}: {error.Message}");
                    }
                });
            }
        });
        return command;
    }

    /// <summary>A file goes as it is; a directory's <c>.json</c> files (recursively) go as one zip archive built in a temporary file.</summary>
    private static async Task<ApiResponse<AdvisoryImportResult>> ImportAsync(ApiContext ctx, string path, string source)
    {
        if (Directory.Exists(path))
        {
            var archive = Path.Combine(Path.GetTempPath(), "berth-vulndb-" + Guid.NewGuid().ToString("N") + ".zip");
            try
            {
                await using (var file = File.Create(archive))
                await using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
                {
                    foreach (var json in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    {
                        await zip.CreateEntryFromFileAsync(json, Path.GetRelativePath(path, json).Replace('\\', '/'), CompressionLevel.Fastest, ctx.CancellationToken);
                    }
                }

                await using var upload = File.OpenRead(archive);
                return await ctx.Api.ImportAdvisoriesAsync(upload, "application/zip", source, ctx.CancellationToken);
            }
            finally
            {
                File.Delete(archive);
            }
        }

        if (!File.Exists(path))
        {
            throw new CliException($"{path}: no such file or directory");
        }

        var mediaType = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".zip" => "application/zip",
            ".json" => "application/json",
            _ => throw new CliException($"{path}: expected a .json file, a .zip archive or a directory"),
        };
        await using var content = File.OpenRead(path);
        return await ctx.Api.ImportAdvisoriesAsync(content, mediaType, source, ctx.CancellationToken);
    }

    private static Command StatusCommand()
    {
        var command = new Command("status", "Show what the advisory database holds and how old it is");
        command.SetApiAction(async ctx =>
        {
            var response = await ctx.Api.GetAdvisoryDatabaseAsync(ctx.CancellationToken);
            ctx.Output.Render(response, db =>
            {
                var output = ctx.Output.Out;
                if (db.AdvisoryCount == 0)
                {
                    output.WriteLine("The advisory database is empty: images are scanned for packages, but nothing can match.");
                    output.WriteLine("Import OSV advisories with `berth vulndb import PATH` (JSON files, directories or osv.dev zip archives).");
                    return;
                }

                var age = db.LastImportedAt is { } last ? $", last import {Format.Date(last)} ({Age(DateTimeOffset.UtcNow - last)} ago)" : "";
                output.WriteLine($"Advisory database version {db.Version}: {Format.Number(db.AdvisoryCount)} advisories{age}.");
                output.WriteLine();
                var table = new TableWriter("SOURCE", "ADVISORIES>", "IMPORTED", "NEWEST ADVISORY");
                foreach (var s in db.Sources.OrderBy(s => s.Source, StringComparer.Ordinal))
                {
                    table.AddRow(s.Source, Format.Number(s.AdvisoryCount), Format.Date(s.LastImportedAt), s.NewestModified is { } m ? Format.Date(m) : "-");
                }

                ctx.Output.WriteTable(table);
            });
        });
        return command;
    }

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 2 ? $"{(int)age.TotalDays} days"
        : age.TotalHours >= 2 ? $"{(int)age.TotalHours} hours"
        : $"{Math.Max(0, (int)age.TotalMinutes)} minutes";
}

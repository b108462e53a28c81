using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Phoenix.Operations.Tests.Containers;

/// <summary>
/// An image as <c>dotnet publish -t:PublishContainer</c> writes it to <c>ContainerArchiveOutputPath</c>: a tar of an OCI
/// image layout (index.json → manifest → config and layers). Read without any container tooling.
/// </summary>
internal sealed class OciImage
{
    private readonly Dictionary<string, byte[]> _blobs;

    private OciImage(string path, Dictionary<string, byte[]> blobs, JsonElement config, IReadOnlyList<string> layerDigests)
    {
        ArchivePath = path;
        _blobs = blobs;
        Config = config;
        LayerDigests = layerDigests;
    }

    /// <summary>The tarball.</summary>
    public string ArchivePath { get; }

    /// <summary>The image configuration's <c>config</c> object (User, Entrypoint, Env, ExposedPorts, WorkingDir, Labels).</summary>
    public JsonElement Config { get; }

    /// <summary>The layers, base first.</summary>
    public IReadOnlyList<string> LayerDigests { get; }

    /// <summary>The environment as a dictionary.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        Config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>Reads the archive at <paramref name="path"/>.</summary>
    public static OciImage Load(string path)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var stream = File.OpenRead(path))
        using (var reader = new TarReader(stream))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null)
                {
                    continue;
                }

                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                files[entry.Name.TrimStart('.', '/')] = buffer.ToArray();
            }
        }

        using var index = JsonDocument.Parse(files["index.json"]);
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(files[BlobPath(manifestDigest)]);
        var configDigest = manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
        using var config = JsonDocument.Parse(files[BlobPath(configDigest)]);
        var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();
        return new OciImage(path, files, config.RootElement.GetProperty("config").Clone(), layers);
    }

    /// <summary>The paths in a layer (without a leading <c>./</c> or <c>/</c>).</summary>
    public IReadOnlyList<string> LayerPaths(string digest)
    {
        var paths = new List<string>();
        using var gzip = new GZipStream(new MemoryStream(_blobs[BlobPath(digest)]), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            paths.Add(entry.Name.TrimStart('.', '/'));
        }

        return paths;
    }

    /// <summary>The content of one file of a layer, or null.</summary>
    public string? LayerFile(string digest, string path)
    {
        using var gzip = new GZipStream(new MemoryStream(_blobs[BlobPath(digest)]), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') == path && entry.DataStream is not null)
            {
                using var text = new StreamReader(entry.DataStream);
                return text.ReadToEnd();
            }
        }

        return null;
    }

    /// <summary>Unpacks every layer, base first, into <paramref name="rootfs"/> with GNU tar (links and modes as a runtime would).</summary>
    public async Task UnpackAsync(string rootfs)
    {
        Directory.CreateDirectory(rootfs);
        foreach (var digest in LayerDigests)
        {
            var layer = Path.Combine(rootfs, "..", "layer.tar.gz");
            await File.WriteAllBytesAsync(layer, _blobs[BlobPath(digest)]);
            var result = await Kubernetes.ExternalCommand.RunAsync("tar", ["-xzf", layer, "-C", rootfs], TimeSpan.FromMinutes(2));
            File.Delete(layer);
            Assert.True(result.ExitCode == 0, result.Output);
        }
    }

    private static string BlobPath(string digest) => "blobs/" + digest.Replace(':', '/');
}

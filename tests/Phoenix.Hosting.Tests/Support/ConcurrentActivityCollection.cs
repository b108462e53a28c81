using System.Collections.Concurrent;
using System.Diagnostics;

namespace Phoenix.Hosting.Tests.Support;

/// <summary>Adapts a concurrent queue to the in-memory exporter's <see cref="ICollection{T}"/> (it is written from request threads).</summary>
internal sealed class ConcurrentActivityCollection(ConcurrentQueue<Activity> queue) : ICollection<Activity>
{
    public int Count => queue.Count;

    public bool IsReadOnly => false;

    public void Add(Activity item) => queue.Enqueue(item);

    public void Clear() => queue.Clear();

    public bool Contains(Activity item) => queue.Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => queue.ToArray().CopyTo(array, arrayIndex);

    public bool Remove(Activity item) => throw new NotSupportedException();

    public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)queue).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

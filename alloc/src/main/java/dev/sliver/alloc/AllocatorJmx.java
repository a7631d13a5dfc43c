package dev.sliver.alloc;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The JMX view of one allocator, {@code dev.sliver:type=ThreadCachingAllocator,name=<name>}:
 * each attribute reads a fresh {@link ThreadCachingAllocator#stats()} snapshot. Registered by
 * {@link ThreadCachingAllocator#registerMXBean}, unregistered when the allocator closes.
 */
record AllocatorJmx(ThreadCachingAllocator allocator) implements ThreadCachingAllocatorMXBean {
    /** Registers the view of {@code allocator} in the platform MBean server under {@code beanName}. */
    static ObjectName register(ThreadCachingAllocator allocator, String beanName) {
        try {
            ObjectName objectName = new ObjectName("dev.sliver:type=ThreadCachingAllocator,name=" + ObjectName.quote(beanName));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new AllocatorJmx(allocator), objectName);
            return objectName;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the allocator's MXBean as " + beanName, e);
        }
    }

    /** Unregisters a view {@link #register} made, if it is still there. */
    static void unregister(ObjectName objectName) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
        } catch (JMException ignored) {
            // already gone
        }
    }

    @Override
    public long getBytesInUse() {
        return allocator.stats().bytesInUse();
    }

    @Override
    public long getBytesCached() {
        return allocator.stats().bytesCached();
    }

    @Override
    public long getBytesMapped() {
        return allocator.stats().bytesMapped();
    }

    @Override
    public long getBytesReturned() {
        return allocator.stats().bytesReturned();
    }

    @Override
    public long getAllocations() {
        return allocator.stats().allocations();
    }

    @Override
    public long getFrees() {
        return allocator.stats().frees();
    }

    @Override
    public double getThreadCacheHitRate() {
        return allocator.stats().threadCacheHitRate();
    }

    @Override
    public int getThreadCaches() {
        return allocator.stats().threadCaches();
    }
}

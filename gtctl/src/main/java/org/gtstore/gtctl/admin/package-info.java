/**
 * {@code gtctl cluster ...}: the commands that start, stop, inspect, grow, shrink and break a
 * cluster, with the reports and tables they print ({@link org.gtstore.gtctl.admin.StatusReport},
 * {@link org.gtstore.gtctl.admin.ClusterStats}, {@link org.gtstore.gtctl.admin.MapChange}). The
 * processes themselves are started and stopped by the launcher of
 * {@link org.gtstore.gtctl.cluster}, which the integration tests use directly.
 */
package org.gtstore.gtctl.admin;

/**
 * The key-value commands ({@code put}, {@code get}, {@code delete}, {@code mget}, {@code mput},
 * {@code scan}) and the line-oriented {@code shell}: the store they run against
 * ({@link org.gtstore.gtctl.kv.KeyValueStore}), their outcomes, and the formatting of what they
 * print ({@link org.gtstore.gtctl.kv.ResultFormatter}). A plain put, get or delete is read by
 * {@link org.gtstore.gtctl.kv.OneShotCommand} without picocli.
 */
package org.gtstore.gtctl.kv;

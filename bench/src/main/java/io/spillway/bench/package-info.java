/**
 * JMH benchmarks of the hot paths. Build with {@code mvn -pl bench -am package -DskipTests}, run with
 * {@code java -jar bench/target/benchmarks.jar NAME}; each class's Javadoc gives its command.
 */
@NullMarked
package io.spillway.bench;

import org.jspecify.annotations.NullMarked;

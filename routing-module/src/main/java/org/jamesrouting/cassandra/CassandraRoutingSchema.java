package org.jamesrouting.cassandra;

import org.apache.james.backends.cassandra.components.CassandraModule;

import com.datastax.oss.driver.api.core.type.DataTypes;

/**
 * The two tables of james-routing in James's Cassandra keyspace, as a James
 * {@link CassandraModule} (created if missing when the node starts):
 * <pre>
 * CREATE TABLE james_routing_documents (
 *     name text PRIMARY KEY,      -- 'dynamic-routes', 'dns-pins' or 'held-destinations'
 *     version bigint,             -- +1 on every change (compare-and-set with IF version = ?)
 *     generation uuid,            -- which chunks hold the content of this version
 *     chunks int);                -- how many
 * CREATE TABLE james_routing_document_chunks (
 *     name text, generation uuid, chunk int,
 *     content text,               -- up to 256 KiB of the JSON document
 *     PRIMARY KEY ((name, generation), chunk));
 * </pre>
 */
public final class CassandraRoutingSchema {
    public static final String DOCUMENTS = "james_routing_documents";
    public static final String CHUNKS = "james_routing_document_chunks";

    static final String NAME = "name";
    static final String VERSION = "version";
    static final String GENERATION = "generation";
    static final String CHUNK_COUNT = "chunks";
    static final String CHUNK = "chunk";
    static final String CONTENT = "content";

    public static final CassandraModule MODULE = CassandraModule.builder()
        .table(DOCUMENTS)
        .comment("james-routing: the version of each shared document (dynamic routing table, pinned domain names, destinations on hold) and where its content is")
        .statement(statement -> types -> statement
            .withPartitionKey(NAME, DataTypes.TEXT)
            .withColumn(VERSION, DataTypes.BIGINT)
            .withColumn(GENERATION, DataTypes.UUID)
            .withColumn(CHUNK_COUNT, DataTypes.INT))
        .table(CHUNKS)
        .comment("james-routing: the content of each version of a shared document, in chunks")
        .statement(statement -> types -> statement
            .withPartitionKey(NAME, DataTypes.TEXT)
            .withPartitionKey(GENERATION, DataTypes.UUID)
            .withClusteringColumn(CHUNK, DataTypes.INT)
            .withColumn(CONTENT, DataTypes.TEXT))
        .build();

    private CassandraRoutingSchema() {
    }
}
